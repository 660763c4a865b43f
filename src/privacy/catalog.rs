//! The catalog of personal data: every data item the API collects and every
//! purpose it serves. This is the source of truth: `/privacy/catalog`, the
//! notice and the spec's `x-privacy` are generated from it and from the
//! field tags that point into it.
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum Sensitivity {
    Personal,
    /// PIPL Art. 28, plus what the source notice marks sensitive.
    Sensitive,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum Subject {
    User,
    Child,
    Guardian,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum Storage {
    Plain,
    Encrypted,
    EncryptedBlindIndex,
    /// A one-way hash (passwords: argon2id); never exported.
    Hashed,
    /// Never stored past the call that uses it.
    Ephemeral,
    /// Only aggregated counters are kept.
    Aggregated,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum Necessity {
    /// The feature cannot work without it; accepted with the notice.
    Essential,
    /// An extra: needs its own grant, off by default.
    Optional,
}

/// W3C DPV legal bases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum LegalBasis {
    ContractPerformance,
    Consent,
    LegalObligation,
    LegitimateInterest,
}

impl LegalBasis {
    pub const ALL: [Self; 4] = [
        Self::ContractPerformance,
        Self::Consent,
        Self::LegalObligation,
        Self::LegitimateInterest,
    ];

    pub fn dpv(self) -> &'static str {
        match self {
            Self::ContractPerformance => "dpv:ContractPerformance",
            Self::Consent => "dpv:Consent",
            Self::LegalObligation => "dpv:LegalObligation",
            Self::LegitimateInterest => "dpv:LegitimateInterest",
        }
    }
}

/// What a user chose for a purpose: granted, refused or withdrawn, or
/// nothing yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    Granted,
    Refused,
    Unset,
}

/// How long data is kept, and what happens then.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retention {
    UntilAccountClosure,
    /// An ISO 8601 duration from collection, e.g. `P90D`.
    For(&'static str),
    /// A duration after an event, e.g. `event.ended + P3M`.
    After(&'static str, &'static str),
    /// Until the user deletes it (or deregisters).
    UntilDeleted,
    /// Until the user withdraws the purpose.
    UntilWithdrawn,
    /// Never stored past the call that uses it.
    Ephemeral,
}

impl Retention {
    /// The period in whole days, for `PnD` durations (`For("P180D")`,
    /// `After("session.ended", "P90D")`); retention rules read it from here.
    pub fn days(self) -> Option<i64> {
        let period = match self {
            Self::For(d) | Self::After(_, d) => d,
            _ => return None,
        };
        period.strip_prefix('P')?.strip_suffix('D')?.parse().ok()
    }

    pub fn rule(self) -> String {
        match self {
            Self::UntilAccountClosure => "until_account_closure".into(),
            Self::For(d) => d.into(),
            Self::After(event, d) => format!("{event} + {d}"),
            Self::UntilDeleted => "until_deleted".into(),
            Self::UntilWithdrawn => "until_withdrawn".into(),
            Self::Ephemeral => "ephemeral".into(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum EndAction {
    Delete,
    Anonymise,
}

/// Whether one call can withdraw the purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum Withdrawal {
    /// `PUT /me/consents/{purpose}` with `granted: false`.
    Allowed,
    /// The account cannot exist without it: deregistering is the way out.
    ByDeregistration,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct DataItem {
    pub key: &'static str,
    /// Fideslang-style category.
    pub category: &'static str,
    /// W3C DPV personal-data term (`ext:` where DPV has none).
    pub dpv: &'static str,
    pub sensitivity: Sensitivity,
    pub subject: Subject,
    pub storage: Storage,
    pub name_en: &'static str,
    pub name_zh: &'static str,
}

#[derive(Clone, Copy, Debug)]
pub struct Purpose {
    pub key: &'static str,
    pub name_en: &'static str,
    pub name_zh: &'static str,
    pub description_en: &'static str,
    pub description_zh: &'static str,
    pub legal_basis: LegalBasis,
    pub necessity: Necessity,
    pub retention: Retention,
    pub end_action: EndAction,
    pub withdrawal: Withdrawal,
    /// The items this purpose processes.
    pub items: &'static [&'static str],
}

impl Purpose {
    pub fn item_defs(&self) -> impl Iterator<Item = &'static DataItem> + '_ {
        self.items.iter().filter_map(|key| item(key))
    }

    pub fn sensitive_items(&self) -> Vec<&'static str> {
        self.item_defs()
            .filter(|i| i.sensitivity == Sensitivity::Sensitive)
            .map(|i| i.key)
            .collect()
    }

    /// Whether `item` may be processed for this purpose, given what the
    /// user chose: with a grant always; without one, only a non-sensitive
    /// item of an essential purpose, and not once the user said no to it
    /// (a withdrawal stays a withdrawal).
    pub fn allows(&self, item: &DataItem, choice: Choice) -> bool {
        match choice {
            Choice::Granted => true,
            Choice::Refused => false,
            Choice::Unset => {
                self.necessity == Necessity::Essential && item.sensitivity == Sensitivity::Personal
            }
        }
    }
}

macro_rules! items {
    ($($key:literal, $cat:literal, $dpv:literal, $sens:ident, $subj:ident, $store:ident, $en:literal, $zh:literal;)*) => {
        pub const ITEMS: &[DataItem] = &[$(DataItem {
            key: $key, category: $cat, dpv: $dpv,
            sensitivity: Sensitivity::$sens, subject: Subject::$subj, storage: Storage::$store,
            name_en: $en, name_zh: $zh,
        }),*];
    };
}

items! {
    "phone_number", "user.contact.phone_number", "pd:TelephoneNumber", Sensitive, User, EncryptedBlindIndex, "phone number", "手机号码";
    "password", "user.authorization.password", "ext:Password", Personal, User, Hashed, "password", "密码";
    "sms_code", "user.authorization.credentials", "ext:OneTimeCode", Personal, User, Ephemeral, "SMS verification code", "短信验证码";
    "device_model", "user.device.device_type", "pd:DeviceBased", Personal, User, Plain, "device model", "设备型号";
    "os_version", "user.device", "pd:OperatingSystem", Personal, User, Plain, "operating system version", "操作系统版本";
    "app_version", "user.device", "ext:AppVersion", Personal, User, Plain, "app version", "应用版本";
    "language", "user.demographic", "pd:Language", Personal, User, Plain, "language", "语言";
    "timezone", "user.location.imprecise", "ext:TimeZone", Personal, User, Plain, "time zone", "时区";
    "device_id", "user.device.device_id", "pd:DeviceIdentifier", Sensitive, User, Encrypted, "device identifier (OAID / Android ID)", "设备标识符（OAID / Android ID）";
    "nickname", "user.name.user_name", "pd:Username", Personal, User, Plain, "nickname", "昵称";
    "avatar", "user.content.public", "pd:Picture", Personal, User, Plain, "avatar", "头像";
    "gender", "user.demographic.gender", "pd:Gender", Personal, User, Plain, "gender", "性别";
    "birthday", "user.demographic.date_of_birth", "pd:BirthDate", Personal, User, Plain, "birthday", "生日";
    "region", "user.location.imprecise", "pd:Location", Personal, User, Plain, "region", "地区";
    "signature", "user.content.public", "ext:ProfileSignature", Personal, User, Plain, "signature", "个性签名";
    "post_title", "user.content.public", "ext:PostContent", Personal, User, Plain, "post title", "帖子标题";
    "post_body", "user.content.public", "ext:PostContent", Personal, User, Plain, "post body", "帖子正文";
    "uploaded_media", "user.content.public", "pd:Photograph", Personal, User, Plain, "uploaded images (metadata such as the location is removed)", "上传的图片（位置等元数据会被去除）";
    "diagnostic_log", "user.device", "ext:DiagnosticLog", Personal, User, Plain, "diagnostic log", "诊断日志";
    "follows", "user.behavior", "pd:SocialNetwork", Personal, User, Plain, "follows", "关注";
    "likes", "user.behavior", "pd:Preference", Personal, User, Plain, "likes", "点赞";
    "comments", "user.content.public", "ext:CommentContent", Personal, User, Plain, "comments", "评论";
    "circle_memberships", "user.behavior", "pd:Membership", Personal, User, Plain, "circle memberships", "圈子成员关系";
    "blocks", "user.behavior", "pd:SocialNetwork", Personal, User, Plain, "users you blocked", "黑名单";
    "search_query", "user.behavior.search_history", "pd:SearchHistory", Personal, User, Plain, "search queries", "搜索记录";
    "conversation_list", "user.content.private", "pd:Communication", Personal, User, Plain, "conversation list", "会话列表";
    "message_text", "user.content.private", "pd:Communication", Personal, User, Encrypted, "message text", "私信内容";
    "message_media", "user.content.private", "pd:Communication", Personal, User, Plain, "message images, videos and files (metadata such as the location is removed from images and from the metadata boxes of MP4/MOV videos; a location recorded as a track of the video itself, as action cameras do, stays; documents, archives and WebM videos are kept as sent, with any author or editing details inside them; the files are stored unencrypted and open only through signed, expiring links; which file a message carries is stored encrypted)", "私信图片、视频和文件（图片及MP4/MOV视频元数据中的位置等信息会被去除；以视频轨道形式记录的位置（如运动相机）会保留；文档、压缩包和WebM视频按原样保存，其中的作者或编辑信息会保留；文件未加密存储，仅能通过带签名的限时链接打开；消息所附文件的标识以加密方式保存）";
    "message_timestamps", "user.behavior", "pd:Communication", Personal, User, Plain, "message times", "私信时间";
    "level_experience", "user.behavior", "ext:CommunityLevel", Personal, User, Plain, "level and experience", "等级与经验";
    "real_name", "user.name", "pd:Name", Personal, User, Encrypted, "real name", "真实姓名";
    "contact_phone", "user.contact.phone_number", "pd:TelephoneNumber", Sensitive, User, Encrypted, "contact phone number", "联系电话";
    "national_id_number", "user.government_id.national_identification_number", "pd:NationalIdentificationNumber", Sensitive, User, EncryptedBlindIndex, "national ID number", "身份证号码";
    "shipping_address", "user.contact.address", "pd:PostalAddress", Sensitive, User, Encrypted, "shipping address", "收货地址";
    "city", "user.location.imprecise", "pd:City", Personal, User, Plain, "city", "城市";
    "qq_number", "user.contact", "ext:QQNumber", Personal, User, Encrypted, "QQ number", "QQ号";
    "wechat_id", "user.contact", "ext:WeChatId", Personal, User, Encrypted, "WeChat ID", "微信号";
    "task_completions", "user.behavior", "ext:TaskCompletion", Personal, User, Plain, "task completions", "任务完成记录";
    "coin_ledger", "user.financial", "ext:CoinLedger", Personal, User, Plain, "coin ledger", "金币明细";
    "guardian_phone", "user.contact.phone_number", "pd:TelephoneNumber", Sensitive, Guardian, Ephemeral, "guardian's phone number", "监护人手机号码";
    "installed_apps", "user.device", "ext:InstalledApplications", Personal, User, Ephemeral, "installed apps", "已安装应用";
    "screening_answers", "user.content.private", "ext:ScreeningAnswers", Personal, User, Plain, "answers to a program's screening questions", "内测筛选问题的回答";
    "ip_address", "user.device.ip_address", "pd:IPAddress", Personal, User, Plain, "IP address", "IP地址";
    "report_reason", "user.content.private", "ext:ReportReason", Personal, User, Plain, "reasons given in reports", "举报理由";
    "interests", "user.behavior", "pd:Interest", Personal, User, Plain, "interests derived from activity", "根据活动推断的兴趣";
    "usage_counters", "user.behavior", "ext:AggregatedUsage", Personal, User, Aggregated, "anonymous usage counters", "匿名使用统计";
}

use EndAction::*;
use LegalBasis::*;
use Necessity::*;
use Retention::*;
use Withdrawal::*;

macro_rules! purpose {
    ($key:literal, $en:literal, $zh:literal, $den:literal, $dzh:literal, $basis:expr, $need:expr, $ret:expr, $end:expr, $wd:expr, [$($item:literal),*]) => {
        Purpose { key: $key, name_en: $en, name_zh: $zh, description_en: $den, description_zh: $dzh,
            legal_basis: $basis, necessity: $need, retention: $ret, end_action: $end, withdrawal: $wd,
            items: &[$($item),*] }
    };
}

pub const PURPOSES: &[Purpose] = &[
    purpose!("account", "Account", "账号", "Create and secure your account and sign you in.", "创建并保护你的账号，为你登录。",
        ContractPerformance, Essential, UntilAccountClosure, Delete, ByDeregistration,
        ["phone_number", "password", "sms_code"]),
    purpose!("browsing", "Browsing", "浏览", "Serve the app to your device, answer your searches (a query is used for that search only) and show your signed-in devices.", "向你的设备提供服务、回答你的搜索（查询词只用于该次搜索）并展示已登录设备。",
        ContractPerformance, Essential, After("session.ended", "P90D"), Delete, Allowed,
        ["device_model", "os_version", "app_version", "language", "timezone", "device_id", "search_query"]),
    purpose!("profile", "Profile", "个人资料", "Show your community profile.", "展示你的社区资料。",
        ContractPerformance, Essential, UntilAccountClosure, Delete, ByDeregistration,
        ["nickname", "avatar", "gender", "birthday", "region", "signature"]),
    purpose!("posting", "Posting", "发帖", "Publish your posts and the images you attach.", "发布你的帖子和附带的图片。",
        ContractPerformance, Essential, After("deleted", "P30D"), Delete, ByDeregistration,
        ["post_title", "post_body", "uploaded_media", "device_model"]),
    purpose!("diagnostic_logs", "Diagnostic logs", "诊断日志", "Help engineers fix the problem you report with a log from your device.", "帮助工程师用你设备上的日志修复你反馈的问题。",
        Consent, Optional, For("P180D"), Delete, Allowed,
        ["diagnostic_log"]),
    purpose!("social", "Social", "社交", "Follows, likes, comments, circle memberships and the users you block.", "关注、点赞、评论、圈子成员关系和你屏蔽的用户。",
        ContractPerformance, Essential, After("deleted", "P30D"), Delete, ByDeregistration,
        ["follows", "likes", "comments", "circle_memberships", "blocks"]),
    purpose!("search_history", "Search history", "搜索记录", "Keep your recent searches so you can repeat them (the last 100).", "保存你最近的搜索（最多100条），方便再次搜索。",
        Consent, Optional, UntilDeleted, Delete, Allowed,
        ["search_query"]),
    purpose!("direct_messages", "Private messages", "私信", "Deliver your private messages.", "投递你的私信。",
        ContractPerformance, Essential, UntilDeleted, Delete, ByDeregistration,
        ["conversation_list", "message_text", "message_media", "message_timestamps"]),
    purpose!("membership", "Membership level", "会员等级", "Compute your level and experience from your activity.", "根据你的活动计算等级与经验。",
        ContractPerformance, Essential, UntilAccountClosure, Delete, ByDeregistration,
        ["level_experience"]),
    purpose!("event_registration", "Event registration", "活动报名", "Register you for official events you sign up for.", "为你报名官方活动。",
        ContractPerformance, Essential, After("event.ended", "P3M"), Delete, Allowed,
        ["real_name", "gender", "contact_phone", "national_id_number", "shipping_address", "city"]),
    purpose!("help_group_application", "Help-group application", "互助组申请", "Review your application to join a help group, let its managers reach you while you are a member, and settle what happened for 90 days after.", "审核你加入互助组的申请，让组管理员在你是成员期间联系你，并在之后90天内处理遗留问题。",
        ContractPerformance, Essential, After("rejection_or_leaving", "P90D"), Delete, Allowed,
        ["contact_phone", "qq_number", "wechat_id"]),
    purpose!("rewards", "Rewards", "奖励", "Track tasks you complete and the coins you earn.", "记录你完成的任务和获得的金币。",
        ContractPerformance, Essential, UntilAccountClosure, Delete, ByDeregistration,
        ["task_completions", "coin_ledger"]),
    purpose!("prize_delivery", "Prize delivery", "奖品寄送", "Deliver prizes you redeem, and keep who received them for the ten years tax law requires of withholding records (Tax Collection Administration Law implementing rules, art. 29). Withdrawing erases what you gave for prizes not yet shipped; for those shipped, the law keeps it to the end of that period.", "寄送你兑换的奖品，并按税法对代扣代缴记录的要求保存领奖人信息十年（《税收征收管理法实施细则》第二十九条）。撤回同意会删除尚未发货奖品的信息；已发货奖品的信息依法保存至该期限届满。",
        LegalObligation, Essential, After("delivered_or_last_step", "P3653D"), Delete, Allowed,
        ["real_name", "national_id_number", "contact_phone", "shipping_address"]),
    purpose!("guardian_verification", "Guardian verification", "监护人验证", "Verify a guardian's consent for a user under 14.", "为未满14周岁的用户验证监护人同意。",
        LegalObligation, Essential, Ephemeral, Delete, Allowed,
        ["guardian_phone", "sms_code"]),
    purpose!("beta_program", "Beta programs", "内测计划", "Select testers for beta programs you apply to and reach them while they test. When a program asks for your installed apps, the list is checked during your application and never kept: only which of the apps the program names were there.", "为你申请的内测计划挑选测试者，并在测试期间联系你。内测计划要求提供已安装应用列表时，该列表只在申请时用于检查、从不保存：只保留其中是否有计划列出的应用。",
        ContractPerformance, Essential, After("program.ended", "P90D"), Delete, Allowed,
        ["contact_phone", "device_model", "screening_answers", "installed_apps"]),
    purpose!("security", "Security", "安全", "Protect the service and your account from abuse.", "保护服务和你的账号免受滥用。",
        LegitimateInterest, Essential, For("P90D"), Delete, ByDeregistration,
        ["ip_address", "report_reason"]),
    purpose!("ai_reply", "AI replies", "AI回复", "Let an assistant suggest a reply to your post (title and body only; never your phone number).", "让助手根据你的帖子建议回复（仅标题和正文，绝不使用手机号）。",
        ContractPerformance, Essential, UntilDeleted, Delete, ByDeregistration,
        ["post_title", "post_body"]),
    purpose!("personalized_recommendations", "Personalised recommendations", "个性化推荐", "Boost circles you joined and content like what you liked.", "优先展示你加入的圈子和你可能喜欢的内容。",
        Consent, Optional, UntilWithdrawn, Delete, Allowed,
        ["interests"]),
    purpose!("location", "Location", "位置", "Show content from your city (a city only: never precise points or trajectories).", "展示你所在城市的内容（仅城市，绝不收集精确位置或轨迹）。",
        Consent, Optional, UntilWithdrawn, Delete, Allowed,
        ["city"]),
    purpose!("usage_statistics", "Usage statistics", "使用统计", "Count feature use anonymously, aggregated at once.", "匿名统计功能使用情况，并立即汇总。",
        Consent, Optional, Ephemeral, Delete, Allowed,
        ["usage_counters"]),
];

pub fn item(key: &str) -> Option<&'static DataItem> {
    ITEMS.iter().find(|i| i.key == key)
}

/// The retention period of `purpose` in days, when the catalog states one
/// in days. Retention rules take their periods from here: one source.
pub fn retention_days(purpose: &str) -> Option<i64> {
    self::purpose(purpose).and_then(|p| p.retention.days())
}

pub fn purpose(key: &str) -> Option<&'static Purpose> {
    PURPOSES.iter().find(|p| p.key == key)
}

/// Who is responsible for the data, as receipts and the notice name it.
pub const CONTROLLER: &str = "agora community operator";
pub const CONTROLLER_CONTACT: &str = "privacy@agora.invalid";
pub const JURISDICTION: &str = "CN";

#[cfg(test)]
#[path = "catalog_tests.rs"]
mod tests;
