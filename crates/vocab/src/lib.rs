//! MiaoJing's vocabulary: every closed word list the platform stores or sends (roles, tiers,
//! media types, modes, statuses, …) as one enum each, with one strict parser, and the table of
//! error codes. Shared by the domain crates, the API types and the SPA, so a word is spelled in
//! one place; nothing here does IO.
//!
//! Each enum serializes to exactly its wire word; `parse` also reads the original platform's
//! aliases listed beside a word and refuses anything else with the word list's error code.

pub mod error_codes;
mod words;

pub use error_codes::{ErrorCode, MessageLang};
pub use words::*;

/// A word outside its list: the error code and the (Chinese) message the server answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseError {
    /// The code of the 400 answer (`invalid_role`, `invalid_tier`, …).
    pub code: ErrorCode,
    /// The server's message.
    pub message: &'static str,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for ParseError {}

/// Declares a word list: the enum, its wire words (serde and OpenAPI), `ALL`, `WORDS`,
/// `as_str`, `parse` (exact words and listed aliases; `fold` first trims and lower-cases),
/// `Display` and `FromStr`.
macro_rules! word_list {
    (
        $(#[$doc:meta])*
        $name:ident ($code:ident, $message:literal $(, $fold:ident)?) {
            $( $(#[$vdoc:meta])* $variant:ident = $word:tt $(| $alias:tt)* ),+ $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name {
            $( $(#[$vdoc])* #[serde(rename = $word)] $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; <[()]>::len(&[$(word_list!(@unit $variant)),+])] = [$($name::$variant),+];
            /// Every wire word, in declaration order.
            pub const WORDS: &'static [&'static str] = &[$($word),+];

            /// The stored and wire word.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }

            /// Reads a word (or one of the original platform's aliases); anything else is a
            #[doc = concat!("400 `", stringify!($code), "`.")]
            pub fn parse(s: &str) -> Result<Self, $crate::ParseError> {
                let folded = word_list!(@fold s $($fold)?);
                match folded.as_ref() {
                    $( $word $(| $alias)* => Ok($name::$variant), )+
                    _ => Err($crate::ParseError { code: $crate::ErrorCode::$code, message: $message }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::ParseError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl From<$name> for &'static str {
            fn from(v: $name) -> &'static str {
                v.as_str()
            }
        }
    };
    (@fold $s:ident fold) => { std::borrow::Cow::<str>::Owned($s.trim().to_ascii_lowercase()) };
    (@unit $v:ident) => { () };
    (@fold $s:ident) => { std::borrow::Cow::<str>::Borrowed($s) };
}
pub(crate) use word_list;
