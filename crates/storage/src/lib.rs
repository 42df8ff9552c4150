//! Storage of uploaded and generated media.
//!
//! - [`Storage`] over local disk, an S3-compatible bucket, or both ([`Mode`]), with streaming
//!   reads and writes, background mirror retries, a bounded health probe and presigned URLs;
//! - [`keys`]: the key discipline; [`policy`]: prefixes, watermark rules, content types;
//! - [`media`]: thumbnails, watermarks, implicit AI-content labels; [`labelling`]: which stored
//!   files carry which label;
//! - [`render`]: watermarked renders cached once; [`backfill`]: thumbnail backfill; [`derive`]:
//!   new images stored with their thumbnail;
//! - [`upload`]: checks on uploaded images; [`fetch`]: downloading upstream results;
//! - [`sync`]: copying local files to object storage; [`lifecycle`]: copies and removals of
//!   stored files together with everything derived from them.

pub mod backfill;
pub mod config;
pub mod derive;
pub mod error;
pub mod fetch;
pub mod keys;
pub mod labelling;
pub mod lifecycle;
pub mod local;
pub mod media;
pub mod object;
pub mod policy;
pub mod render;
pub mod store;
pub mod sync;
pub mod upload;

pub use config::{Mode, ObjectConfig, StorageConfig};
pub use error::StorageError;
pub use local::LocalStorage;
pub use store::{Health, Location, Meta, Read, Storage};
