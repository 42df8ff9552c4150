//! A tiny i18n layer: every UI string is a [`K`] key with a Chinese (default) and an
//! English text. The language lives in a signal provided as context and is saved in
//! localStorage under [`LANG_KEY`].
use leptos::prelude::*;

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

    fn from_code(code: &str) -> Option<Lang> {
        match code {
            "zh-CN" | "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

macro_rules! strings {
    ($($key:ident => $zh:literal, $en:literal;)*) => {
        /// Every translatable UI string.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum K { $($key),* }

        impl K {
            pub fn text(self, lang: Lang) -> &'static str {
                match lang {
                    Lang::Zh => match self { $(K::$key => $zh),* },
                    Lang::En => match self { $(K::$key => $en),* },
                }
            }
        }
    };
}

strings! {
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
    Loading => "加载中...", "Loading...";
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
    AcceptTerms => "我已阅读并同意使用条款和隐私政策", "I have read and agree to the Terms and the Privacy Policy";
    Register => "注册", "Sign up";
    Registering => "注册中...", "Signing up...";
    HaveAccount => "已有账号？", "Already have an account?";
    GoLogin => "去登录", "Sign in";
    MustAcceptTerms => "请先阅读并同意使用条款和隐私政策", "Please accept the Terms and the Privacy Policy";
    InvalidEmail => "请输入有效的邮箱地址", "Enter a valid email address";
    WeakPassword => "密码至少8位，且需同时包含字母和数字", "The password needs at least 8 characters with letters and digits";
    EmailCodeRequired => "请输入邮箱验证码", "Enter the email code";
    RegistrationClosed => "当前站点暂未开放注册", "Registration is currently closed";
    // Pages
    CreateTitle => "创作中心", "Create";
    CreateSub => "文生图、图生图、文生视频、图生视频与图片反推将在这里进行。", "Text-to-image, image-to-image, text-to-video, image-to-video and reverse prompts happen here.";
    GalleryTitle => "作品画廊", "Gallery";
    GallerySub => "社区分享的作品将在这里展示。", "Works shared by the community are shown here.";
    ProfileTitle => "个人中心", "My account";
    NotLoggedIn => "尚未登录", "Not signed in";
    NotLoggedInSub => "登录后即可查看个人资料、积分与创作记录。", "Sign in to see your profile, credits and creations.";
    ProfileNickname => "昵称", "Nickname";
    ProfileUsername => "用户名", "Username";
    ProfileEmail => "邮箱", "Email";
    ProfilePhone => "手机号", "Phone";
    ProfileRole => "角色", "Role";
    ProfileTier => "会员等级", "Membership";
    ProfileCredits => "积分余额", "Credits";
    ProfileInviteCode => "我的邀请码", "My invite code";
    ProfileJoined => "注册时间", "Joined";
    ProfileEmailVerified => "邮箱验证", "Email verified";
    Yes => "已验证", "Verified";
    No => "未验证", "Not verified";
    NotSet => "未设置", "Not set";
    RoleUser => "普通用户", "User";
    RoleVip => "会员", "Member";
    RoleAdmin => "管理员", "Administrator";
    RoleEnterpriseAdmin => "企业管理员", "Enterprise administrator";
    ShowPassword => "显示密码", "Show password";
    HidePassword => "隐藏密码", "Hide password";
    SignedInAs => "当前登录", "Signed in as";
    LoadFailed => "加载失败", "Failed to load";
    Retry => "重试", "Retry";
    NotFoundTitle => "页面不存在", "Page not found";
    NotFoundSub => "你访问的页面不存在或已被移除。", "The page you asked for does not exist.";
    BackHome => "返回首页", "Back to home";
    PolicyAbout => "关于我们", "About";
    PolicyTerms => "服务条款", "Terms of service";
    PolicyPrivacy => "隐私政策", "Privacy policy";
    PolicyHelp => "帮助中心", "Help";
    PolicyNav => "站点信息", "Site information";
    NetworkError => "网络错误，请稍后重试", "Network error, please try again";
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
}

fn apply_html_lang(lang: Lang) {
    if let Some(el) = document().document_element() {
        let _ = el.set_attribute("lang", lang.code());
    }
}

/// Creates the language signal from localStorage (Chinese by default) and provides it.
pub fn provide_i18n() -> I18n {
    let lang = storage::get(LANG_KEY).and_then(|c| Lang::from_code(&c)).unwrap_or(Lang::Zh);
    apply_html_lang(lang);
    let i18n = I18n { lang: RwSignal::new(lang) };
    provide_context(i18n);
    i18n
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}
