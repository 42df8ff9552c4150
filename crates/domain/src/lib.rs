//! MiaoJing's core: identifiers, money, roles and tiers, the error type with stable
//! codes, the rules that need no IO, and the repository traits (ports) that the
//! store crates implement. Nothing here touches a database, a socket or a file.

pub mod announcement;
pub mod email_code;
pub mod error;
pub mod invitation;
pub mod job;
pub mod ledger;
pub mod log;
pub mod page;
pub mod provider;
pub mod redeem;
pub mod repo;
pub mod session;
pub mod user;
pub mod work;

#[cfg(feature = "testkit")]
pub mod testkit;

pub use error::{Error, ErrorCode, ErrorKind, Result};
pub use miaojing_vocab as vocab;
pub use page::{PageRequest, Paged};
pub use repo::Store;
