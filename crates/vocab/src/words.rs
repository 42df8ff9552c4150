//! The word lists. Each is declared once with [`crate::word_list!`]: its wire words, the original
//! platform's aliases its parser also reads, and the error code for anything else.
use crate::word_list;

word_list!(
    /// A stored role. `vip` is not stored (see [`ShownRole`]); the original's `vip`, `guest`
    /// and `enterprise_member` read as `user`.
    Role (InvalidRole, "角色无效", fold) {
        User = "user" | "vip" | "guest" | "enterprise_member",
        Admin = "admin",
        EnterpriseAdmin = "enterprise_admin",
    }
);

impl Role {
    /// Admin authority (`admin` or `enterprise_admin`).
    pub const fn is_admin(self) -> bool {
        matches!(self, Role::Admin | Role::EnterpriseAdmin)
    }

    /// The role shown to clients while `tier` is in force: admins keep theirs; others are
    /// `vip` while a paid tier is active.
    pub const fn shown(self, tier: Tier) -> ShownRole {
        match self {
            Role::Admin => ShownRole::Admin,
            Role::EnterpriseAdmin => ShownRole::EnterpriseAdmin,
            Role::User if tier.is_paid() => ShownRole::Vip,
            Role::User => ShownRole::User,
        }
    }
}

word_list!(
    /// The role an account is shown with (`UserView.role`): the stored role, or `vip` for a
    /// user with an active paid tier.
    ShownRole (InvalidRole, "角色无效") {
        User = "user",
        Vip = "vip",
        Admin = "admin",
        EnterpriseAdmin = "enterprise_admin",
    }
);

impl ShownRole {
    /// Admin authority (`admin` or `enterprise_admin`).
    pub const fn is_admin(self) -> bool {
        matches!(self, ShownRole::Admin | ShownRole::EnterpriseAdmin)
    }

    /// Whether an account shown with this role and holding `tier` (in force) may switch off
    /// download watermarks for itself: admins and paying members.
    pub const fn may_disable_watermark(self, tier: Tier) -> bool {
        self.is_admin() || matches!(self, ShownRole::Vip) || tier.is_paid()
    }
}

word_list!(
    /// A membership tier, ordered from lowest to highest. The original's `basic` is `pro` and
    /// `enterprise` is `ultra`.
    Tier (InvalidTier, "会员等级无效", fold) {
        Free = "free",
        Pro = "pro" | "basic",
        Max = "max",
        Ultra = "ultra" | "enterprise",
    }
);

impl Tier {
    /// The tiers a membership can be bought or granted at.
    pub const PAID: [Tier; 3] = [Tier::Pro, Tier::Max, Tier::Ultra];

    /// Any tier but `free`.
    pub const fn is_paid(self) -> bool {
        !matches!(self, Tier::Free)
    }

    /// Reads a list of tiers, skipping blank entries (`allowedMembershipTiers`).
    pub fn parse_list<S: AsRef<str>>(items: &[S]) -> Result<Vec<Tier>, crate::ParseError> {
        items.iter().map(AsRef::as_ref).filter(|t| !t.trim().is_empty()).map(Tier::parse).collect()
    }
}

impl PartialOrd for Tier {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Tier {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (*self as u8).cmp(&(*other as u8))
    }
}

word_list!(
    /// What a model produces. `text` is a multimodal language model (reverse prompt,
    /// suggestions). The original's `images`/`videos` read as `image`/`video`.
    MediaType (InvalidMediaType, "模型类型必须是 image、video 或 text", fold) {
        Image = "image" | "images",
        Video = "video" | "videos",
        Text = "text",
    }
);

word_list!(
    /// What a generation job makes (`kind` of a job request).
    JobKind (UnsupportedJobType, "不支持的任务类型") {
        Image = "image",
        Video = "video",
    }
);

impl JobKind {
    /// The model type that makes this kind.
    pub const fn media_type(self) -> MediaType {
        match self {
            JobKind::Image => MediaType::Image,
            JobKind::Video => MediaType::Video,
        }
    }
}

word_list!(
    /// A creation mode (`reversePrompt` is read as `reverse-prompt`).
    Mode (InvalidMode, "作品类型无效") {
        Text2Img = "text2img",
        Img2Img = "img2img",
        Text2Video = "text2video",
        Img2Video = "img2video",
        ReversePrompt = "reverse-prompt" | "reversePrompt",
    }
);

impl Mode {
    /// The four modes that make media.
    pub const GENERATION: [Mode; 4] = [Mode::Text2Img, Mode::Img2Img, Mode::Text2Video, Mode::Img2Video];

    /// `image`, `video` or `reverse-prompt`, as the history rows call it.
    pub const fn media_type(self) -> &'static str {
        match self.kind() {
            Some(kind) => kind.as_str(),
            None => Mode::ReversePrompt.as_str(),
        }
    }

    /// Image or video; `None` for a reverse prompt.
    pub const fn kind(self) -> Option<JobKind> {
        match self {
            Mode::Text2Img | Mode::Img2Img => Some(JobKind::Image),
            Mode::Text2Video | Mode::Img2Video => Some(JobKind::Video),
            Mode::ReversePrompt => None,
        }
    }

    /// Whether the mode produces video.
    pub const fn is_video(self) -> bool {
        matches!(self.kind(), Some(JobKind::Video))
    }

    /// Whether the mode starts from a reference image.
    pub const fn takes_image(self) -> bool {
        matches!(self, Mode::Img2Img | Mode::Img2Video)
    }
}

word_list!(
    /// Where a job is in its life: `queued → running → succeeded | failed | cancelled`.
    JobStatus (InvalidStatus, "任务状态无效") {
        Queued = "queued",
        Running = "running",
        Succeeded = "succeeded",
        Failed = "failed",
        Cancelled = "cancelled",
    }
);

impl JobStatus {
    /// Succeeded, failed or cancelled.
    pub const fn is_terminal(self) -> bool {
        matches!(self, JobStatus::Succeeded | JobStatus::Failed | JobStatus::Cancelled)
    }
}

word_list!(
    /// A finished job's status (what the admin cleanup removes).
    FinishedStatus (InvalidStatus, "任务状态无效") {
        Succeeded = "succeeded",
        Failed = "failed",
        Cancelled = "cancelled",
    }
);

impl From<FinishedStatus> for JobStatus {
    fn from(s: FinishedStatus) -> JobStatus {
        match s {
            FinishedStatus::Succeeded => JobStatus::Succeeded,
            FinishedStatus::Failed => JobStatus::Failed,
            FinishedStatus::Cancelled => JobStatus::Cancelled,
        }
    }
}

word_list!(
    /// The admin job list's status filter: a job status, or `all`.
    JobStatusFilter (InvalidStatus, "任务状态无效") {
        All = "all",
        Queued = "queued",
        Running = "running",
        Succeeded = "succeeded",
        Failed = "failed",
        Cancelled = "cancelled",
    }
);

impl JobStatusFilter {
    /// The status to filter by; `None` for `all`.
    pub fn status(self) -> Option<JobStatus> {
        JobStatus::parse(self.as_str()).ok()
    }
}

word_list!(
    /// Gallery order (`newest` is read as `latest`).
    GallerySort (InvalidSort, "排序方式无效") {
        /// Newest publication first (the default).
        Latest = "latest" | "newest",
        /// Most likes first, then newest.
        Popular = "popular",
    }
);

#[allow(clippy::derivable_impls)] // the enum is declared by `word_list!`
impl Default for GallerySort {
    fn default() -> Self {
        GallerySort::Latest
    }
}

word_list!(
    /// A gallery category: everything, a media type, or one mode.
    GalleryCategory (InvalidMode, "作品类型无效") {
        All = "all",
        Image = "image",
        Video = "video",
        ReversePrompt = "reverse-prompt" | "reversePrompt",
        Text2Img = "text2img",
        Img2Img = "img2img",
        Text2Video = "text2video",
        Img2Video = "img2video",
    }
);

impl GalleryCategory {
    /// The modes the category shows; empty for `all`.
    pub fn modes(self) -> Vec<Mode> {
        match self {
            GalleryCategory::All => vec![],
            GalleryCategory::Image => vec![Mode::Text2Img, Mode::Img2Img],
            GalleryCategory::Video => vec![Mode::Text2Video, Mode::Img2Video],
            one => Mode::parse(one.as_str()).into_iter().collect(),
        }
    }
}

word_list!(
    /// How a platform model talks to its upstream.
    Protocol (InvalidProtocol, "协议必须是 openai 或 manifest", fold) {
        /// OpenAI-compatible endpoints (images, chat completions, async video); the default.
        Openai = "openai" | "",
        /// A stored Manifest describes the requests (smart import).
        Manifest = "manifest",
    }
);

word_list!(
    /// Order in which the rows sharing a display name are tried.
    PollingMode (InvalidPollingMode, "轮询方式必须是 sequential、random 或 custom", fold) {
        /// By sort order, then polling order (the default).
        Sequential = "sequential" | "",
        /// Shuffled per request.
        Random = "random",
        /// By polling order, then sort order.
        Custom = "custom",
    }
);

word_list!(
    /// How a platform model is billed (the original's `billingMode`).
    BillingMode (InvalidBillingMode, "计费方式必须是 free、fixed、duration 或 token", fold) {
        Free = "free",
        /// A fixed amount per use (the default).
        Fixed = "fixed",
        /// Per second of generated video.
        Duration = "duration",
        /// Per million input and output tokens.
        Token = "token",
    }
);

word_list!(
    /// A platform log level.
    LogLevel (InvalidLogLevel, "日志级别无效") {
        Info = "info",
        Warning = "warning",
        Error = "error",
    }
);

word_list!(
    /// A platform log category.
    LogType (InvalidLogType, "日志类型无效") {
        Auth = "auth",
        Generation = "generation",
        Admin = "admin",
        Database = "database",
        Storage = "storage",
        Security = "security",
        System = "system",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_and_unknown_words_are_refused() {
        for t in &Tier::ALL {
            assert_eq!(Tier::parse(t.as_str()), Ok(*t));
            assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
            assert_eq!(serde_json::from_value::<Tier>(t.as_str().into()).unwrap(), *t);
        }
        assert_eq!(Tier::parse(" Basic "), Ok(Tier::Pro));
        assert_eq!(Tier::parse("gold").unwrap_err().code, crate::ErrorCode::InvalidTier);
        assert_eq!(Mode::parse("reversePrompt"), Ok(Mode::ReversePrompt));
        assert!(Mode::parse("TEXT2IMG").is_err(), "modes are exact");
        assert_eq!(Protocol::parse(""), Ok(Protocol::Openai));
        assert_eq!(JobKind::parse("text").unwrap_err().code, crate::ErrorCode::UnsupportedJobType);
        assert_eq!(JobStatusFilter::parse("all").unwrap().status(), None);
        assert_eq!(JobStatusFilter::parse("failed").unwrap().status(), Some(JobStatus::Failed));
        assert_eq!(GalleryCategory::Video.modes(), vec![Mode::Text2Video, Mode::Img2Video]);
        assert_eq!(GalleryCategory::parse("img2img").unwrap().modes(), vec![Mode::Img2Img]);
        assert!(Tier::Ultra > Tier::Max && Tier::Max > Tier::Pro && Tier::Pro > Tier::Free);
        assert_eq!(Tier::parse_list(&["pro", " ", "max"]), Ok(vec![Tier::Pro, Tier::Max]));
    }

    #[test]
    fn shown_roles_follow_tiers() {
        assert_eq!(Role::User.shown(Tier::Pro), ShownRole::Vip);
        assert_eq!(Role::User.shown(Tier::Free), ShownRole::User);
        assert_eq!(Role::EnterpriseAdmin.shown(Tier::Free), ShownRole::EnterpriseAdmin);
        assert!(ShownRole::Admin.may_disable_watermark(Tier::Free));
        assert!(!ShownRole::User.may_disable_watermark(Tier::Free));
        assert!(ShownRole::User.may_disable_watermark(Tier::Max));
    }
}
