//! A tiny i18n layer: every UI string is a [`K`] key with a Chinese (default) and an
//! English text. The language lives in a signal provided as context and is saved in
//! localStorage under [`LANG_KEY`].
use leptos::prelude::*;
use miaojing_api_types::error_codes::{self, MessageLang};

use crate::storage;

/// localStorage key of the chosen UI language (`zh-CN` or `en`).
pub const LANG_KEY: &str = "miaojing_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "zh-CN" | "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The API's name of the language (`zh` or `en`: an account's `preferred_language`).
    pub fn api_tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    fn messages(self) -> MessageLang {
        match self {
            Lang::Zh => MessageLang::Zh,
            Lang::En => MessageLang::En,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

/// Declares a string-key enum `$name` with a Chinese and an English text per key
/// (used for [`K`] here and for the console's own table).
macro_rules! strings {
    ($name:ident; $($key:ident => $zh:literal, $en:literal;)*) => {
        /// Translatable UI strings.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($key),* }

        impl $name {
            pub fn text(self, lang: Lang) -> &'static str {
                match lang {
                    Lang::Zh => match self { $($name::$key => $zh),* },
                    Lang::En => match self { $($name::$key => $en),* },
                }
            }
        }
    };
}
#[cfg(feature = "console")]
pub(crate) use strings;

strings! {
    K;
    // Brand and shell
    BrandName => "妙境", "MiaoJing";
    Slogan => "妙手丹青，境随心造", "Masterful strokes, worlds shaped by the mind";
    SkipToContent => "跳到主要内容", "Skip to main content";
    MainNav => "主导航", "Main navigation";
    NavHome => "首页", "Home";
    NavCreate => "创作", "Create";
    NavGallery => "画廊", "Gallery";
    NavProfile => "我的", "Me";
    Login => "登录", "Sign in";
    FreeStart => "免费开始", "Start free";
    Logout => "退出", "Sign out";
    Admin => "管理员", "Administrator";
    SwitchToLight => "切换浅色模式", "Switch to light theme";
    SwitchToDark => "切换暗色模式", "Switch to dark theme";
    SwitchLanguage => "Switch to English", "切换到中文";
    LanguageButton => "EN", "中";
    // Home
    HeroBadge => "一站式AI多模态创作平台", "All-in-one multimodal AI creation platform";
    HeroLine1 => "妙手丹青", "Masterful Strokes";
    HeroLine2 => "境随心造", "Worlds Shaped by Mind";
    HeroSub => "用文字与图片唤醒灵感：文生图、图生图、文生视频、图生视频，一处完成。",
               "Turn words and pictures into art: text-to-image, image-to-image, text-to-video and image-to-video in one place.";
    StartCreating => "开始创作", "Start creating";
    BrowseWorks => "浏览作品", "Browse works";
    StatCapabilities => "核心创作能力", "core capabilities";
    StatSpeed => "平均出图时间", "average image time";
    StatStyles => "预设风格", "preset styles";
    StatQueueValue => "队列", "Queue";
    StatQueue => "任务状态可追踪", "trackable job status";
    CapabilitiesTitle => "四大核心能力", "Four core capabilities";
    CapabilitiesSub => "从一句话到一段影像，创作流程一站打通。", "From a sentence to a moving picture, in one workflow.";
    CapText2Img => "文生图", "Text to image";
    CapText2ImgDesc => "输入一段描述，选择风格与比例，快速生成高质量图片。", "Describe a scene, pick a style and ratio, and get high-quality images.";
    CapImg2Img => "图生图", "Image to image";
    CapImg2ImgDesc => "上传参考图，重绘风格、修改细节或延展画面。", "Upload a reference image to restyle, retouch or extend it.";
    CapText2Video => "文生视频", "Text to video";
    CapText2VideoDesc => "用文字描述镜头与动作，生成一段短视频。", "Describe shots and motion in words to generate a short video.";
    CapImg2Video => "图生视频", "Image to video";
    CapImg2VideoDesc => "让静态图片动起来，生成自然流畅的动态影像。", "Bring a still image to life with natural, fluid motion.";
    TryNow => "立即体验 →", "Try it →";
    // Auth
    LoginTitle => "登录妙境", "Sign in to MiaoJing";
    LoginSub => "欢迎回来，继续你的创作。", "Welcome back. Pick up where you left off.";
    Account => "账号", "Account";
    AccountPlaceholder => "邮箱 / 手机号 / 用户名", "Email / phone / username";
    Password => "密码", "Password";
    PasswordPlaceholder => "请输入密码", "Enter your password";
    LoggingIn => "登录中...", "Signing in...";
    NoAccount => "还没有账号？", "No account yet?";
    GoRegister => "去注册", "Create one";
    FillAccountPassword => "请输入账号和密码", "Enter your account and password";
    RegisterTitle => "创建账号", "Create an account";
    RegisterSub => "注册后即可开始创作。", "Sign up to start creating.";
    Email => "邮箱", "Email";
    EmailPlaceholder => "name@example.com", "name@example.com";
    Username => "用户名", "Username";
    UsernameHint => "选填，默认使用邮箱前缀", "Optional; defaults to your email's local part";
    PasswordNew => "至少8位，包含字母和数字", "At least 8 characters with letters and digits";
    EmailCode => "邮箱验证码", "Email code";
    EmailCodePlaceholder => "请输入邮件中的验证码", "Code from the email";
    InviteCode => "邀请码", "Invite code";
    InviteCodeHint => "选填", "Optional";
    InviteDetected => "已识别邀请链接", "Invite link detected";
    Register => "注册", "Sign up";
    Registering => "注册中...", "Signing up...";
    HaveAccount => "已有账号？", "Already have an account?";
    GoLogin => "去登录", "Sign in";
    MustAcceptTerms => "请先阅读并同意使用条款和隐私政策", "Please accept the Terms and the Privacy Policy";
    InvalidEmail => "请输入有效的邮箱地址", "Enter a valid email address";
    WeakPassword => "密码至少8位，且需同时包含字母和数字", "The password needs at least 8 characters with letters and digits";
    EmailCodeRequired => "请输入邮箱验证码", "Enter the email code";
    RegistrationClosed => "当前站点暂未开放注册", "Registration is currently closed";
    // Shell
    Close => "关闭", "Close";
    Announcement => "公告", "Announcement";
    GotIt => "我知道了", "Got it";
    UserMenu => "用户菜单", "User menu";
    LoggedOut => "已退出登录", "Signed out";
    SessionExpired => "登录已过期，请重新登录", "Your session has expired. Please sign in again";
    Pagination => "分页", "Pagination";
    PrevPage => "上一页", "Previous";
    NextPage => "下一页", "Next";
    Saving => "保存中...", "Saving...";
    SaveChanges => "保存修改", "Save changes";
    CopyFailed => "复制失败，请手动选择复制", "Copy failed; select the text and copy it manually";
    // Auth (more)
    AcceptTermsPrefix => "我已阅读并同意", "I have read and agree to the";
    LoginDone => "登录成功", "Signed in";
    RegisterDone => "注册成功，欢迎加入妙境", "Welcome to MiaoJing!";
    LoginNow => "立即登录", "Sign in now";
    ForgotPassword => "忘记密码？", "Forgot password?";
    ResetTitle => "重置密码", "Reset your password";
    ResetSub => "我们会向你的邮箱发送验证码。", "We will e-mail you a verification code.";
    ResetSubmit => "重置密码", "Reset password";
    RememberedPassword => "想起密码了？", "Remembered it?";
    PasswordResetDone => "密码已重置，请使用新密码登录", "Password reset. Sign in with the new password";
    NewPassword => "新密码", "New password";
    ConfirmPassword => "确认新密码", "Confirm new password";
    CurrentPassword => "当前密码", "Current password";
    CurrentPasswordRequired => "修改密码需要填写当前密码", "Enter your current password to change it";
    PasswordMismatch => "两次输入的新密码不一致", "The new passwords do not match";
    SendCode => "发送验证码", "Send code";
    Sending => "发送中...", "Sending...";
    CodeSent => "验证码已发送，请查收邮件", "Code sent. Check your inbox";
    InviteBonusPrefix => "注册即得积分", "bonus credits on sign-up:";
    // Profile
    TabAccount => "账户", "Account";
    TabMembership => "会员", "Membership";
    TabCredits => "积分", "Credits";
    TabHistory => "历史", "History";
    TabApiKeys => "API", "API keys";
    ApiKeysTitle => "API 管理", "API management";
    ApiKeysSub => "配置第三方模型 API，添加后可在创作中心直接选用", "Add third-party model APIs to use them in the create center";
    SavedKeys => "已保存的密钥", "Saved keys";
    NoKeys => "还没有添加 API 密钥", "No API keys yet";
    EditKey => "编辑 API 密钥", "Edit API key";
    QuickPick => "快速选择供应商", "Quick pick a provider";
    KeyProvider => "供应商", "Provider";
    KeySupplier => "供应商名称", "Supplier name";
    KeyType => "模型类型", "Model type";
    KeyTypeImage => "生图模型", "Image model";
    KeyTypeVideo => "视频模型", "Video model";
    KeyTypeText => "多模态模型", "Multimodal model";
    KeyModel => "模型名称", "Model name";
    KeyNote => "模型备注", "Note";
    KeyUrl => "API 请求地址", "API URL";
    KeyKeepPlaceholder => "留空则保留已保存的密钥", "Leave empty to keep the saved key";
    KeyRequired => "请填写 API Key", "Please enter the API key";
    ProviderRequired => "请填写供应商", "Please enter the provider";
    TestConnection => "测试连接", "Test connection";
    FetchModels => "获取模型", "List models";
    ClickModelHint => "点击模型名称自动填充到模型名称输入框", "Click a model to fill in the model name";
    ConfirmAdd => "确认添加", "Add key";
    Cancel => "取消", "Cancel";
    KeyAdded => "API 密钥已添加", "API key added";
    KeySaved => "API 密钥已保存", "API key saved";
    KeyDeleted => "API 密钥已删除", "API key deleted";
    KeyDisabled => "已禁用", "Disabled";
    ConfirmDeleteKey => "确定删除这个密钥？", "Delete this key?";
    Delete => "删除", "Delete";
    Edit => "编辑", "Edit";
    Enable => "启用", "Enable";
    Disable => "禁用", "Disable";
    SmartImport => "智能导入", "Smart import";
    SmartImportSub => "从 JSON 文件导入：密钥列表（keys）或配置清单（profiles）。清单不含密钥时使用下方填写的 API Key。", "Import from a JSON file: a key list (keys) or a manifest (profiles). Entries without a key use the API key typed below.";
    ImportFile => "JSON 文件", "JSON file";
    ImportKey => "API Key（用于文件中未包含密钥的条目）", "API key (for entries without one)";
    ImportNow => "导入", "Import";
    ImportDone => "已导入密钥：", "Keys imported:";
    ImportPickFile => "请先选择一个 JSON 文件", "Choose a JSON file first";
    ImportNotJson => "文件不是有效的 JSON", "The file is not valid JSON";
    ImportNoEntries => "文件中没有可导入的条目（需要 keys 或 profiles 数组）", "The file has nothing to import (expected a keys or profiles array)";
    ImportTooMany => "一次最多导入 50 个密钥", "At most 50 keys per import";
    ImportEntryNotObject => "条目不是 JSON 对象", "An entry is not a JSON object";
    ImportEntryNoUrl => "条目缺少 API 请求地址（apiUrl / baseUrl）", "An entry has no API URL (apiUrl / baseUrl)";
    ImportEntryBadUrl => "条目的 API 请求地址必须以 http:// 或 https:// 开头", "An entry's API URL must start with http:// or https://";
    ImportEntryNoKey => "条目没有 API Key，请在上方填写", "An entry has no API key; type one above";
    ImportEntryBadType => "条目的模型类型只能是 image、video 或 text", "An entry's type must be image, video or text";
    EmailVerified => "邮箱已验证", "Email verified";
    EmailUnverified => "邮箱未验证", "Email not verified";
    UploadAvatar => "上传头像", "Upload avatar";
    RemoveAvatar => "移除头像", "Remove avatar";
    AvatarHint => "支持 JPG、PNG、WebP，最大 5MB，会自动裁剪为方形。", "JPG, PNG or WebP up to 5 MB; cropped to a square.";
    AvatarNotImage => "请选择图片文件", "Choose an image file";
    AvatarTooLarge => "头像图片不能超过 5MB", "The avatar image must be at most 5 MB";
    AvatarUnreadable => "无法读取这张图片", "This image could not be read";
    UsernameLoginHint => "用户名可用于登录，不会在画廊公开显示。", "You can sign in with it; it is never shown in the gallery.";
    UsernameRequired => "用户名不能为空", "The username cannot be empty";
    NicknameHint => "显示在导航栏和画廊中。", "Shown in the navbar and the gallery.";
    VerifyEmail => "验证邮箱", "Verify email";
    Reverify => "重新验证", "Verify again";
    FinishVerify => "完成验证", "Verify";
    EmailVerifiedDone => "邮箱验证成功", "Email verified";
    WatermarkOff => "下载无水印", "Download without watermark";
    WatermarkOffHint => "开启后下载原始文件，不添加水印。", "When on, downloads keep the original files without a watermark.";
    WatermarkUpgradeHint => "升级会员后可关闭下载水印", "Upgrade your membership to turn off download watermarks";
    Security => "安全设置", "Security";
    ProfileSaved => "账号资料已保存", "Profile saved";
    TierFree => "免费版", "Free";
    TierPro => "Pro版", "Pro";
    TierMax => "Max版", "Max";
    TierUltra => "Ultra版", "Ultra";
    CurrentTier => "当前会员", "Current plan";
    TierExpires => "有效期至", "Valid until";
    NoExpiry => "长期有效", "No expiry";
    NotApplicable => "—", "—";
    MembershipHint => "会员可通过兑换码开通或续期。", "Memberships are activated or extended with redeem codes.";
    Upgrade => "升级会员", "Upgrade";
    CreditsCenter => "积分中心", "Credits";
    RedeemTitle => "兑换码兑换", "Redeem a code";
    RedeemLabel => "兑换码", "Redeem code";
    RedeemHint => "格式为 MJ-XXXX-XXXX-XXXX，按回车即可兑换。", "Format MJ-XXXX-XXXX-XXXX; press Enter to redeem.";
    RedeemNow => "立即兑换", "Redeem";
    Redeeming => "兑换中...", "Redeeming...";
    RedeemBadFormat => "兑换码格式不正确，应为 MJ-XXXX-XXXX-XXXX", "That is not a valid code; it looks like MJ-XXXX-XXXX-XXXX";
    RedeemUsed => "该兑换码已被使用", "This code has already been used";
    RedeemExpired => "该兑换码已过期", "This code has expired";
    RedeemRevoked => "该兑换码已停用", "This code has been disabled";
    RedeemNotFound => "兑换码不存在", "No such code";
    RedeemCreditsDone => "兑换成功，已到账积分", "Redeemed. Credits added:";
    RedeemMembershipDone => "兑换成功，已开通", "Redeemed. Membership:";
    InviteTitle => "邀请获取积分", "Invite friends, earn credits";
    InviteLink => "我的邀请链接", "My invite link";
    CopyLink => "复制链接", "Copy link";
    LinkCopied => "邀请链接已复制", "Invite link copied";
    Invited => "已邀请", "Invited:";
    InviteExplain => "新用户通过你的专属链接注册后，你和对方都能获得积分。", "When someone signs up with your link, you both get credits.";
    LedgerTitle => "积分记录", "Credit history";
    LedgerEmpty => "暂无积分记录", "No credit records yet";
    BalanceAfter => "余额", "Balance";
    TxGift => "赠送", "Gift";
    TxInvite => "邀请奖励", "Invite reward";
    TxRedeem => "兑换码", "Redeem code";
    TxConsume => "消费", "Spent";
    TxRefund => "退还", "Refund";
    TxAdmin => "管理员调整", "Admin adjustment";
    TxOther => "其他", "Other";
    // Pages
    CreateTitle => "创作中心", "Create";
    ModeT2i => "文生图", "Text to image";
    ModeI2i => "图生图", "Image to image";
    ModeT2v => "文生视频", "Text to video";
    ModeI2v => "图生视频", "Image to video";
    ModeReverse => "图片反推", "Reverse prompt";
    GenModel => "生成模型", "Model";
    VideoModel => "视频模型", "Video model";
    NoModels => "暂无可用模型", "No models available";
    AddKeyLink => "前往 我的 → API 中添加API密钥", "Add an API key under Profile → API";
    OwnKey => "自有密钥", "own key";
    CreditsPerUse => "积分/次", "credits per use";
    CreditsPerSecond => "积分/秒", "credits per second";
    PricePerToken => "按 token 计费", "billed per token";
    PriceFree => "免费", "free";
    ReverseKind => "反推方式", "Analysis";
    ReverseGeneral => "通用", "General";
    ReverseStructured => "结构化", "Structured";
    ReversePixel => "像素级", "Pixel-level";
    ReverseLang => "输出语言", "Output language";
    PromptLabel => "创作描述", "Prompt";
    NegativeLabel => "负面提示词 (可选)", "Negative prompt (optional)";
    StylePresets => "预设风格", "Style presets";
    ParamRatio => "画面比例", "Aspect ratio";
    ParamResolution => "分辨率", "Resolution";
    ParamFormat => "图片格式", "Format";
    ParamQuality => "质量", "Quality";
    ParamCount => "生成数量", "Count";
    ParamDuration => "视频时长", "Duration";
    ParamCamera => "镜头运动", "Camera movement";
    ParamVideoStyle => "视频风格", "Video style";
    RefImages => "参考图", "Reference images";
    RefDropHint => "点击、拖拽或粘贴图片（自动压缩）", "Click, drop or paste images (compressed automatically)";
    RefUrl => "图片链接", "Image URL";
    RefAddUrl => "添加链接", "Add URL";
    RefBadUrl => "图片链接必须以 http:// 或 https:// 开头", "An image URL must start with http:// or https://";
    RefNotImage => "无法读取这张图片", "This file could not be read as an image";
    RefTooMany => "参考图最多", "At most this many reference images:";
    RefRemove => "移除参考图", "Remove reference image";
    GalleryTitle => "作品画廊", "Gallery";
    ProfileTitle => "个人中心", "My account";
    NotLoggedIn => "尚未登录", "Not signed in";
    NotLoggedInSub => "登录后可以管理你的创作、积分和 API 密钥。", "Sign in to manage your creations, credits and API keys.";
    ProfileNickname => "昵称", "Nickname";
    ProfilePhone => "手机号", "Phone";
    ProfileTier => "会员等级", "Membership";
    ProfileCredits => "积分余额", "Credits";
    ProfileJoined => "注册时间", "Joined";
    RoleUser => "普通用户", "User";
    RoleVip => "会员", "Member";
    RoleAdmin => "管理员", "Administrator";
    RoleEnterpriseAdmin => "企业管理员", "Enterprise administrator";
    ShowPassword => "显示密码", "Show password";
    HidePassword => "隐藏密码", "Hide password";
    NotFoundTitle => "页面不存在", "Page not found";
    NotFoundSub => "你访问的页面不存在或已被移除。", "The page you asked for does not exist.";
    BackHome => "返回首页", "Back to home";
    PolicyAbout => "关于我们", "About";
    PolicyTerms => "服务条款", "Terms of service";
    PolicyPrivacy => "隐私政策", "Privacy policy";
    PolicyHelp => "帮助中心", "Help";
    PolicyNav => "站点信息", "Site information";
    // Create: submission and job cards
    DownloadStarted => "已开始下载", "Download started";
    Copied => "已复制", "Copied";
    Fullscreen => "全屏查看", "View full screen";
    OriginalLoading => "原图加载中", "Loading the original";
    Download => "下载", "Download";
    GenFailed => "生成失败", "Generation failed";
    ErrRaw => "原始信息：", "Details:";
    GetCredits => "获取积分", "Get credits";
    ErrCredits => "积分不足：余额（扣除排队任务预占后）不够本次生成。请兑换积分或减少数量、时长后再试。", "Not enough credits: your balance (after credits held by queued jobs) does not cover this generation. Redeem credits or lower the count or duration.";
    ErrUpstreamAuth => "模型服务拒绝了密钥：API 密钥无效、过期或没有权限。", "The model service rejected the key: the API key is invalid, expired or lacks permission.";
    ErrRateLimited => "请求太频繁，模型服务限流了，请稍后再试。", "Too many requests: the model service is rate limiting. Try again shortly.";
    ErrTimeout => "模型服务响应超时，可能正忙，请稍后重试。", "The model service took too long to answer; it may be busy. Try again later.";
    ErrUpstreamDown => "模型服务暂时不可用（服务器错误或无法连接），请稍后重试或换一个模型。", "The model service is unavailable (server error or unreachable). Try again later or pick another model.";
    ErrBusy => "模型当前繁忙或暂时不可用，本次没有扣除积分。请稍后重试，或换一个模型。", "The model is busy or unavailable right now; no credits were taken. Try again later or pick another model.";
    ErrRejected => "模型服务拒绝了这次请求：可能是内容不合规或参数不受支持，请修改描述或参数。", "The model service refused this request: the content or parameters may not be allowed. Change the prompt or settings.";
    ErrBadResponse => "模型服务返回了无法使用的结果，请重试。", "The model service returned an unusable result. Please try again.";
    ErrExpired => "生成结果的链接已过期，未能保存，请重新生成。", "The result link expired before it could be saved. Please generate again.";
    ErrTier => "当前会员等级不能使用这个模型。", "Your membership tier cannot use this model.";
    ErrModel => "所选模型不可用，请换一个模型或检查你的 API 设置。", "The chosen model is unavailable. Pick another one or check your API settings.";
    ErrGeneric => "生成没有成功，请稍后重试。", "The generation did not succeed. Please try again later.";
    GeneratingImage => "正在生成图片", "Generating image";
    GeneratingVideo => "正在生成视频", "Generating video";
    StatusQueued => "排队中", "Queued";
    StatusRunning => "生成中", "Running";
    StatusSucceeded => "已完成", "Done";
    StatusFailed => "失败", "Failed";
    StatusCancelled => "已取消", "Cancelled";
    AlmostDone => "即将完成", "Almost done";
    JobCancelled => "已取消任务", "Job cancelled";
    KeepPageOpen => "可以离开页面，回来后会自动恢复", "You may leave; the job resumes here when you return";
    Elapsed => "已用时间", "Elapsed";
    Remaining => "预计剩余", "Remaining";
    CancelJob => "取消任务", "Cancel job";
    CreditsUnit => "积分", "credits";
    ModeResult => "生成结果", "Result";
    FinishedWhileAway => "离开期间已完成", "Finished while you were away";
    CopyPrompt => "复制提示词", "Copy prompt";
    ReuseParams => "复用配置", "Reuse settings";
    Publish => "分享到画廊", "Share to gallery";
    PublishedShort => "已分享", "Shared";
    Published => "已分享到画廊", "Shared to the gallery";
    ToImg2Img => "图生图", "Image to image";
    ToImg2Video => "生成视频", "Make a video";
    DraftApplied => "已填入创作参数", "Settings filled in";
    SentAsReference => "已带入参考图", "Added as the reference image";
    LoginToCreate => "请先登录后再创作", "Sign in to create";
    NeedRefImage => "请先添加参考图", "Add a reference image first";
    PromptTooShort => "请输入更详细的描述（至少 2 个字）", "Describe it in more detail (at least 2 characters)";
    PromptEmpty => "请先写一段描述", "Write a description first";
    SuggestPrompt => "AI 优化描述", "Improve with AI";
    Suggesting => "优化中…", "Improving…";
    SuggestDone => "已优化描述", "Prompt improved";
    ReverseResult => "反推结果", "Recovered prompt";
    GenerateImage => "用它生成图片", "Generate an image with it";
    Reversing => "正在反推提示词…", "Recovering the prompt…";
    ResultsHere => "生成结果将显示在这里", "Your results will appear here";
    PromptPhImage => "请描述画面内容", "Describe the picture";
    PromptPhVideo => "描述你想要生成的视频画面", "Describe the video you want";
    ParamGuidance => "引导系数", "Guidance";
    DefaultValue => "默认", "Default";
    SendCreation => "发送创作", "Send";
    Submitting => "提交中…", "Submitting…";
    Generate => "开始生成", "Generate";
    StartReverse => "开始反推", "Recover prompt";
    CamStatic => "固定镜头", "Static";
    CamPushIn => "推镜头", "Push in";
    CamPullOut => "拉镜头", "Pull out";
    CamPanLeft => "左摇", "Pan left";
    CamPanRight => "右摇", "Pan right";
    CamTiltUp => "上仰", "Tilt up";
    CamOrbit => "环绕", "Orbit";
    VsRealistic => "写实", "Realistic";
    VsCinematic => "电影感", "Cinematic";
    VsAnime => "动漫", "Anime";
    Vs3d => "3D", "3D";
    VsWatercolor => "水彩", "Watercolor";
    EmptyT2i => "从一句提示词开始", "Start from a single prompt";
    EmptyI2i => "上传参考图，再描述变化", "Upload a reference, then describe the change";
    EmptyT2v => "写下一个镜头", "Write one shot";
    EmptyI2v => "让静态画面动起来", "Bring a still picture to life";
    EmptyReverse => "上传图片，反推出提示词", "Upload a picture to recover its prompt";
    StartPhoto => "写实照片", "realistic photo";
    StartAnime => "动漫插画", "anime illustration";
    StartInk => "水墨国风", "Chinese ink painting";
    StartRestyle => "换一种风格", "in a different style";
    StartScene => "换一个场景", "in a different scene";
    StartKeepPerson => "保留人物不变", "keep the person unchanged";
    StartProduct => "产品展示", "product showcase";
    StartCinema => "电影镜头", "cinematic shot";
    StartAction => "角色动作", "character in motion";
    StartPush => "缓慢推镜头", "slow push-in";
    StartGentle => "轻微运镜", "gentle camera motion";
    StartAnimate => "照片动画", "animate the photo";
    // Gallery and history
    LoginToLike => "请先登录后再点赞", "Sign in to like works";
    GalleryCategory => "分类", "Category";
    CatAll => "全部", "All";
    CatImage => "图片", "Images";
    CatVideo => "视频", "Videos";
    GallerySort => "排序", "Sort";
    SortLatest => "最新", "Latest";
    SortPopular => "最热", "Popular";
    GallerySearchPh => "搜索标题、提示词、作者或模型", "Search titles, prompts, authors or models";
    Search => "搜索", "Search";
    GalleryEmpty => "暂无作品", "No works yet";
    Loading => "加载中…", "Loading…";
    ViewDetails => "查看详情", "View details";
    Like => "点赞", "Like";
    Author => "作者", "Author";
    ModelLabel => "模型", "Model";
    Size => "尺寸", "Size";
    PublishedAt => "发布时间", "Published";
    HistoryFilter => "按模式筛选", "Filter by mode";
    AllModes => "全部模式", "All modes";
    HistoryEmpty => "还没有作品，去创作中心试试吧。", "No works yet. Try the create center.";
    LoadMore => "加载更多", "Load more";
    Unpublish => "取消分享", "Unshare";
    TitleOptional => "标题（可选，最多 80 字）", "Title (optional, up to 80 characters)";
    Unpublished => "已取消分享", "No longer shared";
    ConfirmDeleteWork => "确认删除这件作品？删除后不可恢复。", "Delete this work? This cannot be undone.";
    ConfirmDelete => "确认删除", "Delete";
    WorkDeleted => "作品已删除", "Work deleted";
    NetworkError => "网络错误，请稍后重试", "Network error, please try again";
    RetryAfterSecs => "（{n} 秒后可重试）", " (try again in {n} s)";
    Language => "语言", "Language";
    LanguageHint => "界面语言，也是发给你的邮件所用的语言", "The language of this site and of the e-mails we send you";
    ServerError => "服务器返回了无法识别的响应", "The server sent an unexpected response";
}

/// The language context: a copyable handle on the language signal.
#[derive(Clone, Copy)]
pub struct I18n {
    pub lang: RwSignal<Lang>,
}

impl I18n {
    /// The text of `key` in the current language (reactive when read inside a closure).
    pub fn t(self, key: K) -> &'static str {
        key.text(self.lang.get())
    }

    pub fn set(self, lang: Lang) {
        self.lang.set(lang);
        storage::set(LANG_KEY, lang.code());
        apply_html_lang(lang);
    }

    pub fn toggle(self) {
        self.set(self.lang.get_untracked().other());
    }

    /// Whether the language was chosen on this device (not just the default).
    pub fn chosen_here(self) -> bool {
        storage::get(LANG_KEY).is_some()
    }

    /// The message for a server error `code` in the current language (see
    /// [`error_codes::message_for`]): the server's own text only for a code the table lacks.
    pub fn error(self, code: &str, server_text: &str) -> Option<String> {
        error_codes::message_for(code, server_text, self.lang.get_untracked().messages())
    }
}

/// The language saved on this device (Chinese by default), for code outside components.
pub fn stored_lang() -> Lang {
    storage::get(LANG_KEY).and_then(|c| Lang::from_code(&c)).unwrap_or(Lang::Zh)
}

fn apply_html_lang(lang: Lang) {
    if let Some(el) = document().document_element() {
        let _ = el.set_attribute("lang", lang.code());
    }
}

/// Creates the language signal from localStorage (Chinese by default) and provides it.
pub fn provide_i18n() -> I18n {
    let lang = stored_lang();
    apply_html_lang(lang);
    let i18n = I18n { lang: RwSignal::new(lang) };
    provide_context(i18n);
    i18n
}

/// The label of a creation mode, the same in every bundle (create page, history, gallery).
pub fn mode_label(mode: miaojing_api_types::vocab::Mode) -> K {
    use miaojing_api_types::vocab::Mode;
    match mode {
        Mode::Text2Img => K::ModeT2i,
        Mode::Img2Img => K::ModeI2i,
        Mode::Text2Video => K::ModeT2v,
        Mode::Img2Video => K::ModeI2v,
        Mode::ReversePrompt => K::ModeReverse,
    }
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}
