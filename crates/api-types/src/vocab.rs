//! The closed sets of words the API accepts, as schema types for the OpenAPI document: fields
//! stay strings on the wire (the server parses them with the domain's own types and answers
//! 400 for anything else), and `#[schema(value_type = …)]` / `#[param(value_type = …)]` on a
//! field declares which words it takes. The server checks these lists against the domain types.

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $(#[serde(rename = $word)] $variant),+
        }

        impl $name {
            /// Every word, in order.
            pub const WORDS: &'static [&'static str] = &[$($word),+];
        }
    };
}

vocabulary!(
    /// A creation mode.
    JobMode { Text2Img = "text2img", Img2Img = "img2img", Text2Video = "text2video", Img2Video = "img2video", ReversePrompt = "reverse-prompt" }
);
vocabulary!(
    /// What a job makes.
    JobKind { Image = "image", Video = "video" }
);
vocabulary!(
    /// A job's state.
    JobStatus { Queued = "queued", Running = "running", Succeeded = "succeeded", Failed = "failed", Cancelled = "cancelled" }
);
vocabulary!(
    /// A finished job's state (what cleanup removes).
    FinishedStatus { Succeeded = "succeeded", Failed = "failed", Cancelled = "cancelled" }
);
vocabulary!(
    /// Gallery order.
    GallerySort { Latest = "latest", Popular = "popular" }
);
vocabulary!(
    /// A gallery category: a mode, or a media type.
    GalleryCategory { All = "all", Image = "image", Video = "video", ReversePrompt = "reverse-prompt", Text2Img = "text2img", Img2Img = "img2img", Text2Video = "text2video", Img2Video = "img2video" }
);
vocabulary!(
    /// A platform log level.
    LogLevel { Info = "info", Warning = "warning", Error = "error" }
);
vocabulary!(
    /// A platform log type.
    LogType { Auth = "auth", Generation = "generation", Admin = "admin", Database = "database", Storage = "storage", Security = "security", System = "system" }
);
