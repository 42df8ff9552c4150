//! Every error code the server can send, with a Chinese and an English message for each.
//!
//! The server answers failures with `{"error": "<message>", "code": "<code>"}`; its message is
//! Chinese. Clients (the SPA) show [`ErrorCode::text`] in the user's language instead, and fall
//! back to the server's message only for a code missing here. The server makes its errors from
//! these names (`Error::validation(ErrorCode::InvalidTier, …)`), and the SPA and the API tests
//! compare codes by them. A test of `miaojing-api-types` scans the server's sources for codes
//! and fails when one is not listed, and another checks that every listed code has both texts.

/// The language of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageLang {
    /// Simplified Chinese (the server's own language).
    Zh,
    /// English.
    En,
}

/// Declares [`ErrorCode`] from `Variant = "code" [, detail] => "zh", "en";` rows.
macro_rules! error_codes {
    ($($variant:ident = $code:literal $(, $detail:ident)? => $zh:literal, $en:literal;)*) => {
        /// A stable error code of the API's error envelope.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $(
                #[doc = concat!("`", $code, "`: ", $en, ".")]
                $variant,
            )*
        }

        impl ErrorCode {
            /// Every code, in table order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The code as sent in the `code` field.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code),* }
            }

            /// The code for a `code` field, if it is one the table knows.
            pub fn parse(code: &str) -> Option<ErrorCode> {
                match code { $($code => Some(ErrorCode::$variant),)* _ => None }
            }

            /// The message for this code in `lang`.
            pub fn text(self, lang: MessageLang) -> &'static str {
                match lang {
                    MessageLang::Zh => match self { $(ErrorCode::$variant => $zh),* },
                    MessageLang::En => match self { $(ErrorCode::$variant => $en),* },
                }
            }

            /// Whether the server's own message for this code carries details the code alone
            /// does not (a field name, a limit, the upstream's reason, a count): Chinese
            /// readers are better served by the server's (Chinese) text for these.
            pub fn server_detail(self) -> bool {
                match self { $(ErrorCode::$variant => error_codes!(@detail $($detail)?)),* }
            }
        }
    };
    (@detail detail) => { true };
    (@detail) => { false };
}

error_codes! {
    AccountDisabled = "account_disabled" => "账号已停用，请联系管理员", "This account has been disabled; contact the administrator";
    AdminOnly = "admin_only" => "仅管理员可登录控制台", "Only administrators can sign in to the console";
    AdminRequired = "admin_required" => "无管理员权限", "Administrator rights are required";
    AlreadyReferred = "already_referred" => "该用户已有邀请记录", "This user already has an inviter";
    AnnouncementNotFound = "announcement_not_found" => "公告不存在", "The announcement does not exist";
    ApiKeyRequired = "api_key_required" => "请填写 API Key", "Enter an API key";
    AuthorEmailInvalid = "author_email_invalid" => "作者邮箱不可用，无法完成邮件通知", "The author's e-mail address cannot be used, so the notice cannot be sent";
    BlockedDestination = "blocked_destination" => "不允许访问该地址（仅允许公网 http/https 地址）", "This address is not allowed (only public http/https addresses)";
    BodyRequired = "body_required" => "请填写邮件正文（最多 5000 字）", "Enter the e-mail body (at most 5000 characters)";
    CannotDeleteSelf = "cannot_delete_self" => "不能删除当前登录的管理员账号", "You cannot delete the administrator account you are signed in with";
    CannotModifySelf = "cannot_modify_self" => "不能停用或降级当前登录的管理员账号", "You cannot disable or demote the administrator account you are signed in with";
    CodeCollision = "code_collision" => "兑换码与已有兑换码重复", "The redeem code already exists";
    CodeCooldown = "code_cooldown" => "发送过于频繁，请稍后再试", "Codes were requested too often; please wait a moment";
    CodeExpired = "code_expired" => "验证码或兑换码已过期", "The code has expired";
    CodeIncorrect = "code_incorrect", detail => "验证码不正确", "The verification code is incorrect";
    CodeInvalid = "code_invalid" => "验证码不存在或已失效，请重新获取", "The code does not exist or is no longer valid; request a new one";
    CodeLocked = "code_locked" => "验证码错误次数过多，请稍后再试", "Too many wrong codes; please try again later";
    CodeNotDeletable = "code_not_deletable" => "兑换码不存在或已被使用，不能删除", "The redeem code does not exist or has been used, so it cannot be deleted";
    CodeNotFound = "code_not_found" => "兑换码不存在", "The redeem code does not exist";
    CodeRequired = "code_required" => "请输入邮箱验证码", "Enter the e-mail verification code";
    CodeRevoked = "code_revoked" => "兑换码已停用", "The redeem code has been disabled";
    CodeUsed = "code_used" => "兑换码已被使用", "The redeem code has already been used";
    CreditsOverflow = "credits_overflow" => "积分数额过大", "The credit amount is too large";
    CrossSiteDownload = "cross_site_download" => "不允许跨站下载", "Downloads from other sites are not allowed";
    CurrentPasswordRequired = "current_password_required" => "请输入当前密码", "Enter your current password";
    CustomApiKeyUnusable = "custom_api_key_unusable" => "自定义 API 密钥不可用，请重新保存密钥", "Your custom API key cannot be used; please save the key again";
    CustomApiUnavailable = "custom_api_unavailable" => "自定义 API 不存在或未启用", "The custom API does not exist or is not enabled";
    DatabaseUnavailable = "database_unavailable" => "数据库暂时不可用，请稍后再试", "The database is temporarily unavailable; please try again later";
    Duplicate = "duplicate" => "记录已存在", "The record already exists";
    EmailDisabled = "email_disabled" => "邮箱服务未启用", "E-mail is not enabled on this site";
    EmailNotConfigured = "email_not_configured" => "邮件服务尚未配置，暂时无法发送邮件", "E-mail is not set up on this site yet, so no mail can be sent";
    EmailSecretUnreadable = "email_secret_unreadable" => "SMTP 密码无法解密，请重新保存邮箱配置", "The SMTP password cannot be decrypted; save the e-mail settings again";
    EmailSendFailed = "email_send_failed" => "邮件发送失败，请稍后再试", "The e-mail could not be sent; please try again later";
    EmailTaken = "email_taken" => "该邮箱已被注册或绑定", "This e-mail address is already registered or bound to an account";
    EmptyFile = "empty_file" => "图片文件为空", "The image file is empty";
    FieldTooLong = "field_too_long", detail => "内容过长", "A field is too long";
    FileNotFound = "file_not_found" => "文件不存在", "The file does not exist";
    FileTooLarge = "file_too_large", detail => "图片文件过大", "The image file is too large";
    IdRequired = "id_required", detail => "缺少 ID", "An ID is missing";
    ImageRequired = "image_required" => "请上传需要反推提示词的图片", "Upload the image to recover a prompt from";
    ImageTooLarge = "image_too_large" => "图片过大，请压缩后再上传", "The image is too large; compress it and upload again";
    InsufficientCredits = "insufficient_credits", detail => "积分不足", "Not enough credits";
    IdsRequired = "ids_required" => "请至少选择一项", "Choose at least one item";
    InternalError = "internal_error" => "服务器内部错误，请稍后再试", "Internal server error; please try again later";
    InvalidAmount = "invalid_amount", detail => "数量无效", "The amount is not valid";
    InvalidApiKey = "invalid_api_key" => "API Key 无效或过长", "The API key is not valid or too long";
    InvalidApiUrl = "invalid_api_url" => "API 地址无效", "The API address is not valid";
    InvalidAspectRatio = "invalid_aspect_ratio" => "画面比例参数无效", "The aspect ratio is not valid";
    InvalidAvatar = "invalid_avatar" => "头像图片无效", "The avatar image is not valid";
    InvalidBatch = "invalid_batch", detail => "一次提交的数量超出限制", "Too many items in one request";
    InvalidBillingMode = "invalid_billing_mode" => "计费方式必须是 free、fixed、duration 或 token", "The billing mode must be free, fixed, duration or token";
    InvalidBody = "invalid_body" => "无法读取请求体", "The request body could not be read";
    InvalidButton = "invalid_button" => "按钮文字最多 40 个字符", "The button text can have at most 40 characters";
    InvalidButtonUrl = "invalid_button_url" => "按钮链接必须是 HTTP(S) 地址", "The button link must be an HTTP(S) address";
    InvalidCameraMovement = "invalid_camera_movement" => "运镜参数无效", "The camera movement is not valid";
    InvalidCapabilities = "invalid_capabilities" => "capabilities 必须是不超过 64 KiB 的 JSON 对象", "capabilities must be a JSON object of at most 64 KiB";
    InvalidClientRequestId = "invalid_client_request_id" => "请求 ID 无效", "The client request ID is not valid";
    InvalidCodeFormat = "invalid_code_format" => "验证码或兑换码格式不正确", "The code is not in the right format";
    InvalidCodeGrant = "invalid_code_grant" => "兑换码内容无效", "The redeem code's contents are not valid";
    InvalidCodeType = "invalid_code_type" => "兑换码类型无效", "The redeem code type is not valid";
    InvalidContent = "invalid_content" => "公告内容不能为空且最多 20000 个字符", "The announcement text must not be empty and can have at most 20000 characters";
    InvalidCount = "invalid_count", detail => "数量超出允许范围", "The count is out of the allowed range";
    InvalidCredentials = "invalid_credentials" => "账号或密码错误", "Wrong account or password";
    InvalidCursor = "invalid_cursor" => "分页游标无效", "The page cursor is not valid";
    InvalidDataUrl = "invalid_data_url" => "图片数据格式不正确", "The image data is not in a valid format";
    InvalidDays = "invalid_days" => "天数必须在 0 到 3650 之间", "The number of days must be between 0 and 3650";
    InvalidDuration = "invalid_duration", detail => "时长无效", "The duration is not valid";
    InvalidDurationUnit = "invalid_duration_unit" => "请选择会员时长单位", "Choose a unit for the membership duration";
    InvalidEmail = "invalid_email" => "请输入正确的邮箱地址", "Enter a valid e-mail address";
    InvalidExpiry = "invalid_expiry" => "兑换码有效期必须晚于当前时间", "The redeem code must expire in the future";
    InvalidField = "invalid_field", detail => "请求字段类型或取值不正确", "A field of the request has a wrong type or value";
    InvalidGuidance = "invalid_guidance" => "引导系数必须在 0 到 50 之间", "The guidance scale must be between 0 and 50";
    InvalidIds = "invalid_ids" => "所选项目的 ID 无效", "The IDs of the chosen items are not valid";
    InvalidImage = "invalid_image", detail => "图片无效", "The image is not valid";
    InvalidImportConfig = "invalid_import_config", detail => "导入的配置无效", "The imported configuration is not valid";
    InvalidJob = "invalid_job" => "任务参数无效", "The job parameters are not valid";
    InvalidJson = "invalid_json" => "请求体不是有效的 JSON", "The request body is not valid JSON";
    InvalidKey = "invalid_key" => "文件路径无效", "The file path is not valid";
    InvalidLabel = "invalid_label" => "风格名称无效或过长", "The style name is not valid or too long";
    InvalidLanguage = "invalid_language" => "语言必须是 zh 或 en", "The language must be zh or en";
    InvalidLimit = "invalid_limit" => "limit 必须在 1 到 100 之间", "limit must be between 1 and 100";
    InvalidLogLevel = "invalid_log_level" => "日志级别无效", "The log level is not valid";
    InvalidLogType = "invalid_log_type" => "日志类型无效", "The log type is not valid";
    InvalidManifest = "invalid_manifest", detail => "Manifest 配置无效", "The Manifest profile is not valid";
    InvalidMediaType = "invalid_media_type" => "模型类型必须是 image、video 或 text", "The model type must be image, video or text";
    InvalidMode = "invalid_mode" => "作品类型无效", "The work type is not valid";
    InvalidModel = "invalid_model" => "模型名称无效或过长", "The model name is not valid or too long";
    InvalidModelGroup = "invalid_model_group" => "模型分组无效或过长", "The model group is not valid or too long";
    InvalidMultipart = "invalid_multipart" => "上传数据格式不正确", "The upload is not in a valid format";
    InvalidName = "invalid_name", detail => "名称无效或过长", "The name is not valid or too long";
    InvalidNickname = "invalid_nickname" => "昵称无效或过长", "The nickname is empty, too long or has invalid characters";
    InvalidNote = "invalid_note" => "备注过长", "The note is too long";
    InvalidNotification = "invalid_notification" => "请填写邮件标题（最多 120 字）和正文（最多 4000 字）", "Enter an e-mail subject (at most 120 characters) and body (at most 4000 characters)";
    InvalidOutboundAllowlist = "invalid_outbound_allowlist", detail => "MIAOJING_OUTBOUND_ALLOWLIST 条目无效（应为 host:port）", "An MIAOJING_OUTBOUND_ALLOWLIST entry is not valid (expected host:port)";
    InvalidOutputFormat = "invalid_output_format" => "图片格式只支持 png、jpeg 或 webp", "The image format must be png, jpeg or webp";
    InvalidOutputMode = "invalid_output_mode" => "输出模式必须是 structured、general 或 pixel", "The output mode must be structured, general or pixel";
    InvalidPath = "invalid_path", detail => "路径参数不正确", "A path parameter is not valid";
    InvalidPhone = "invalid_phone" => "手机号格式不正确", "The phone number is not valid";
    InvalidPollingMode = "invalid_polling_mode" => "轮询方式必须是 sequential、random 或 custom", "The polling mode must be sequential, random or custom";
    InvalidPrice = "invalid_price", detail => "价格无效", "The price is not valid";
    InvalidPriceNote = "invalid_price_note" => "价格说明过长", "The price note is too long";
    InvalidPrompt = "invalid_prompt" => "提示词无效或过长", "The prompt is not valid or too long";
    InvalidProtocol = "invalid_protocol" => "协议必须是 openai 或 manifest", "The protocol must be openai or manifest";
    InvalidProvider = "invalid_provider" => "供应商名称无效或过长", "The provider name is not valid or too long";
    InvalidQuality = "invalid_quality" => "画质参数无效", "The quality is not valid";
    InvalidQuery = "invalid_query", detail => "查询参数不正确", "A query parameter is not valid";
    InvalidReferenceImage = "invalid_reference_image" => "参考图无效", "The reference image is not valid";
    InvalidResolution = "invalid_resolution" => "分辨率参数无效", "The resolution is not valid";
    InvalidRole = "invalid_role" => "角色无效", "The role is not valid";
    InvalidSender = "invalid_sender" => "发件邮箱格式不正确", "The sender address is not valid";
    InvalidSize = "invalid_size" => "尺寸参数无效", "The size is not valid";
    InvalidSort = "invalid_sort" => "排序方式无效", "The sort order is not valid";
    InvalidSource = "invalid_source" => "调用来源无效", "The call source is not valid";
    InvalidStatus = "invalid_status", detail => "状态无效", "The status is not valid";
    InvalidStyle = "invalid_style" => "风格参数无效", "The style is not valid";
    InvalidStylePrompt = "invalid_style_prompt" => "风格提示词过长", "The style prompt is too long";
    InvalidTier = "invalid_tier" => "会员等级无效", "The membership tier is not valid";
    InvalidTitle = "invalid_title", detail => "标题不能为空或过长", "The title is empty or too long";
    InvalidUrl = "invalid_url", detail => "地址格式不正确", "The address is not valid";
    InvalidUsername = "invalid_username" => "用户名需 2–50 个字符，不能包含空格或 @", "The username needs 2–50 characters without spaces or @";
    InvalidValue = "invalid_value" => "数据不符合要求", "The data does not meet the requirements";
    InvalidVideoUsageMode = "invalid_video_usage_mode" => "视频用途必须是 text-to-video 或 image-to-video", "The video usage must be text-to-video or image-to-video";
    InvalidWindow = "invalid_window" => "结束时间必须晚于开始时间", "The end time must be after the start time";
    InviteCodeTaken = "invite_code_taken" => "邀请码已被占用", "The invite code is already taken";
    InviteInvalid = "invite_invalid", detail => "邀请码无效", "The invite code is not valid";
    IpRateLimited = "ip_rate_limited" => "请求过于频繁，请稍后再试", "Too many requests; please try again later";
    JobActive = "job_active" => "任务仍在排队或运行中，请先取消", "The job is still queued or running; cancel it first";
    JobFinished = "job_finished" => "任务已结束", "The job has already finished";
    JobNotFound = "job_not_found" => "任务不存在", "The job does not exist";
    KeyNotFound = "key_not_found" => "API Key 不存在", "The API key does not exist";
    KeyUnreadable = "key_unreadable" => "API 密钥不可用，请重新保存密钥", "The API key cannot be used; please save the key again";
    LabelRequired = "label_required" => "请填写风格名称和提示词", "Enter a style name and prompt";
    LastAdmin = "last_admin" => "至少需要保留一个可用的管理员账号", "At least one active administrator account must remain";
    MembershipDowngrade = "membership_downgrade" => "当前会员等级更高，不能兑换较低等级的会员码", "Your membership tier is higher, so a lower-tier code cannot be redeemed";
    MembershipPermanent = "membership_permanent" => "当前会员长期有效，无需兑换", "Your membership does not expire; there is nothing to redeem";
    MetricsForbidden = "metrics_forbidden" => "无权访问监控指标", "Access to the metrics is not allowed";
    MetricsTokenRequired = "metrics_token_required" => "需要监控指标访问令牌", "The metrics token is required (Authorization: Bearer)";
    MissingApiKey = "missing_api_key" => "该模型尚未填写 API Key", "No API key has been set for this model";
    MissingApiUrl = "missing_api_url" => "API 请求地址为空，请在模型配置中填写", "The API address is empty; fill it in the model settings";
    MissingCredentials = "missing_credentials" => "请输入账号和密码", "Enter your account and password";
    MissingFields = "missing_fields" => "请填写公告标题和内容", "Enter the announcement title and text";
    MissingFile = "missing_file" => "请选择要上传的图片", "Choose an image to upload";
    MissingId = "missing_id" => "缺少 ID", "An ID is missing";
    MissingModelName = "missing_model_name" => "自定义 API 未配置模型名称，请在设置中填写", "The custom API has no model name; set one in the settings";
    MissingPayload = "missing_payload" => "缺少任务参数", "The job parameters are missing";
    MissingRetention = "missing_retention" => "请填写日志保留天数", "Enter the number of days to keep logs";
    MissingUrl = "missing_url" => "缺少 url 参数", "The url parameter is missing";
    MissingUserId = "missing_user_id" => "缺少用户 ID", "The user ID is missing";
    ModelBusy = "model_busy" => "因使用人数较多，模型繁忙，请稍后再试", "The model is busy with many users; please try again later";
    ModelNameRequired = "model_name_required" => "请填写模型名称", "Enter a model name";
    ModelRequired = "model_required" => "请选择模型", "Choose a model";
    ModelUnavailable = "model_unavailable" => "模型不存在或未启用", "The model does not exist or is not enabled";
    NameRequired = "name_required", detail => "请填写名称", "Enter a name";
    NegativePromptTooLong = "negative_prompt_too_long" => "反向提示词过长", "The negative prompt is too long";
    NoTemplateSelected = "no_template_selected" => "请至少选择一类要安装的模型", "Choose at least one kind of model to install";
    NotFound = "not_found", detail => "记录不存在", "Not found";
    NoteTooLong = "note_too_long" => "备注最多 255 个字符", "The note can have at most 255 characters";
    OutOfRange = "out_of_range", detail => "数值超出允许范围", "A value is out of the allowed range";
    PasswordTooLong = "password_too_long" => "密码过长（最多 128 个字符）", "The password is too long (at most 128 characters)";
    PayloadTooLarge = "payload_too_large" => "请求体过大（上限 1 MB）", "The request body is too large (limit 1 MB)";
    PhoneTaken = "phone_taken" => "该手机号已被使用", "This phone number is already in use";
    PollUnsupported = "poll_unsupported" => "该渠道不支持任务轮询", "This channel does not support task polling";
    ProbeIncomplete = "probe_incomplete" => "请填写 API 请求地址和 API Key", "Enter the API address and API key";
    PromptRequired = "prompt_required", detail => "请填写提示词", "Enter a prompt";
    PromptTooLong = "prompt_too_long" => "创作描述最多 10000 个字符", "The prompt can have at most 10000 characters";
    PromptTooShort = "prompt_too_short" => "创作描述过短，请输入更详细的描述", "The prompt is too short; describe it in more detail";
    PromptUnchanged = "prompt_unchanged" => "提示词没有变化", "The prompt has not changed";
    ProviderNameTaken = "provider_name_taken" => "供应商名称已存在", "A provider with this name already exists";
    ProviderNotFound = "provider_not_found" => "供应商不存在", "The provider does not exist";
    RateLimited = "rate_limited" => "请求过于频繁，请稍后再试", "Too many requests; please try again later";
    ReasonRequired = "reason_required" => "请填写调整原因（最多 200 字）", "Enter a reason (at most 200 characters)";
    RecommendationNotFound = "recommendation_not_found" => "推荐模型不存在", "The recommended model does not exist";
    ReferenceMissing = "reference_missing" => "参考图不存在或已删除，请重新上传", "The reference image is missing or was deleted; upload it again";
    RegistrationClosed = "registration_closed" => "当前未开放注册", "Sign-up is closed at the moment";
    ResultDownloadFailed = "result_download_failed" => "平台未能下载生成结果，请稍后重试", "The platform could not download the result; please try again later";
    ResultSaveFailed = "result_save_failed" => "平台未能保存生成结果，请稍后重试", "The platform could not save the result; please try again later";
    RouteNotFound = "route_not_found" => "接口不存在", "No such API route";
    StorageUnavailable = "storage_unavailable" => "存储服务暂时不可用", "Storage is temporarily unavailable";
    StyleLabelTaken = "style_label_taken" => "风格名称已存在", "A style with this name already exists";
    StylePresetNotFound = "style_preset_not_found" => "风格不存在", "The style does not exist";
    SubjectRequired = "subject_required" => "请填写邮件标题（最多 120 字）", "Enter an e-mail subject (at most 120 characters)";
    SystemApiNotDefault = "system_api_not_default" => "该系统 API 未开放为平台默认模型", "This system API is not offered as a platform model";
    SystemApiNotFound = "system_api_not_found" => "系统 API 不存在", "The system API does not exist";
    TermsNotAccepted = "terms_not_accepted" => "请先阅读并同意服务条款和隐私政策", "Please read and accept the terms of service and the privacy policy";
    TextModelUnavailable = "text_model_unavailable" => "未配置多模态模型，请在 API 设置中添加多模态模型", "No multimodal model is set up; add one in the API settings";
    TierNotAllowed = "tier_not_allowed" => "当前会员等级无权使用该系统 API", "Your membership tier cannot use this system API";
    TooManyImages = "too_many_images", detail => "参考图数量超出上限", "Too many reference images";
    Unauthenticated = "unauthenticated", detail => "请先登录", "Please sign in (your session or link may have expired)";
    TooManyIds = "too_many_ids", detail => "一次选择的项目过多", "Too many items chosen at once";
    UnknownSiteAsset = "unknown_site_asset" => "站点资源不存在", "No such site asset";
    UnsupportedJobAction = "unsupported_job_action" => "不支持的任务操作", "This job action is not supported";
    UnsupportedJobType = "unsupported_job_type" => "不支持的任务类型", "This job type is not supported";
    UnsupportedMediaType = "unsupported_media_type", detail => "不支持的内容类型", "This content type is not supported";
    UnsupportedUrl = "unsupported_url" => "仅支持站内文件 URL", "Only file URLs of this site are supported";
    UpstreamAuthFailed = "upstream_auth_failed" => "上游 API 密钥无效或无权访问该模型，请检查 API Key", "The upstream API key is invalid or cannot use this model; check the API key";
    UpstreamBadResponse = "upstream_bad_response" => "上游返回的数据格式无法解析", "The upstream answer could not be parsed";
    UpstreamEmpty = "upstream_empty" => "上游任务已完成，但响应中无结果数据", "The upstream task finished but returned no result";
    UpstreamError = "upstream_error", detail => "上游服务出错", "The upstream service failed";
    UpstreamIdleTimeout = "upstream_idle_timeout" => "上游长时间没有响应，请稍后再试", "The upstream did not answer for too long; please try again later";
    UpstreamNoResult = "upstream_no_result" => "上游未返回图片、视频或有效内容", "The upstream returned no image, video or usable content";
    UpstreamPollTimeout = "upstream_poll_timeout" => "上游任务轮询超时", "Waiting for the upstream task timed out";
    UpstreamRateLimited = "upstream_rate_limited", detail => "上游请求过于频繁，请稍后再试", "The upstream is rate limiting requests; please try again later";
    UpstreamRejected = "upstream_rejected", detail => "上游拒绝了请求", "The upstream refused the request";
    UpstreamResultExpired = "upstream_result_expired" => "上游结果地址已过期或无权访问", "The upstream result link has expired or cannot be accessed";
    UpstreamTaskFailed = "upstream_task_failed", detail => "上游任务失败", "The upstream task failed";
    UpstreamTimeout = "upstream_timeout" => "上游服务响应超时", "The upstream service timed out";
    UpstreamUnavailable = "upstream_unavailable" => "上游网关暂时不可用，请稍后再试", "The upstream gateway is temporarily unavailable; please try again later";
    UpstreamUnreachable = "upstream_unreachable" => "无法连接上游服务", "The upstream service cannot be reached";
    UserNotFound = "user_not_found" => "用户不存在", "The user does not exist";
    UsernameTaken = "username_taken" => "该用户名已被使用", "This username is already taken";
    ValueOutOfRange = "value_out_of_range" => "数值超出范围", "A number is out of range";
    WatermarkNotAllowed = "watermark_not_allowed" => "仅会员可关闭下载水印", "Only members can turn off download watermarks";
    WeakPassword = "weak_password" => "密码至少 8 位，并同时包含字母和数字", "The password needs at least 8 characters with both letters and digits";
    WorkIdRequired = "work_id_required" => "缺少作品 ID", "The work ID is missing";
    WorkNotFound = "work_not_found" => "作品不存在或未公开", "The work does not exist or is not public";
    WrongCurrentPassword = "wrong_current_password" => "当前密码不正确", "The current password is incorrect";
}

impl From<ErrorCode> for &'static str {
    fn from(c: ErrorCode) -> &'static str {
        c.as_str()
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<ErrorCode> for &str {
    fn eq(&self, other: &ErrorCode) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<ErrorCode> for std::borrow::Cow<'static, str> {
    fn eq(&self, other: &ErrorCode) -> bool {
        self.as_ref() == other.as_str()
    }
}

impl PartialEq<ErrorCode> for String {
    fn eq(&self, other: &ErrorCode) -> bool {
        self.as_str() == other.as_str()
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The message to show for an error envelope in `lang`: the table's text for a known code, the
/// server's text for an unknown one (or, in Chinese, for a code whose server text carries
/// details). `None` when neither is available.
pub fn message_for(code: &str, server_text: &str, lang: MessageLang) -> Option<String> {
    let server_text = server_text.trim();
    match ErrorCode::parse(code) {
        Some(c) if lang == MessageLang::Zh && c.server_detail() && !server_text.is_empty() => Some(server_text.to_string()),
        Some(c) => Some(c.text(lang).to_string()),
        None if !server_text.is_empty() => Some(server_text.to_string()),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_use_the_table_and_unknown_ones_the_server_text() {
        assert_eq!(message_for("insufficient_credits", "积分不足，需要 5 积分", MessageLang::En).as_deref(), Some("Not enough credits"));
        assert_eq!(message_for("insufficient_credits", "积分不足，需要 5 积分", MessageLang::Zh).as_deref(), Some("积分不足，需要 5 积分"));
        assert_eq!(message_for("job_not_found", "whatever", MessageLang::Zh).as_deref(), Some("任务不存在"));
        assert_eq!(message_for("job_not_found", "", MessageLang::En).as_deref(), Some("The job does not exist"));
        assert_eq!(message_for("brand_new_code", "新错误", MessageLang::En).as_deref(), Some("新错误"));
        assert_eq!(message_for("brand_new_code", " ", MessageLang::En), None);
    }

    #[test]
    fn codes_round_trip() {
        for c in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(c.as_str()), Some(*c));
        }
    }
}
