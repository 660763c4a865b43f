//! The privacy notice, generated from the catalog and the field tags, in
//! English and Chinese, with a version that changes whenever its text does.
use std::{fmt::Write, sync::OnceLock};

use chrono::Utc;
use entity::notice_versions;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use sha2::{Digest, Sha256};

use super::{
    catalog::{self, Necessity, Purpose, Sensitivity, PURPOSES},
    spec::PolicyTable,
    tags::{Need, Tag},
};
use crate::error::AppResult;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

struct Notice {
    en: String,
    zh: String,
    version: String,
    essential_hash: String,
}

static NOTICE: OnceLock<Notice> = OnceLock::new();

fn notice() -> &'static Notice {
    NOTICE.get_or_init(|| {
        // The wiring registers the table before anything reads the notice
        // (`startup::context`, `openapi::notice_version`); a notice built
        // without it would list no collecting operations and be cached.
        #[allow(clippy::panic)]
        let Some(policies) = super::spec::policies() else {
            panic!("the privacy notice was read before the policy table was registered")
        };
        let en = render(Lang::En, policies);
        let zh = render(Lang::Zh, policies);
        let version = short_hash(&format!("{en}\n{zh}"));
        Notice {
            en: en.replace("{version}", &version),
            zh: zh.replace("{version}", &version),
            essential_hash: short_hash(&essential_summary()),
            version,
        }
    })
}

fn short_hash(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..8])
}

/// Whether `text` has the shape of a notice version (`short_hash`: 16
/// lowercase hex digits), as the spec's pattern says.
pub fn is_version(text: &str) -> bool {
    text.len() == 16 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// What users accept with the notice: the essential purposes.
fn essential_summary() -> String {
    let mut out = String::new();
    for p in PURPOSES
        .iter()
        .filter(|p| p.necessity == Necessity::Essential)
    {
        let _ = writeln!(
            out,
            "{}|{:?}|{}|{}",
            p.key,
            p.legal_basis,
            p.retention.rule(),
            p.items.join(",")
        );
    }
    out
}

/// The current notice version (a hash of its text).
pub fn version() -> &'static str {
    &notice().version
}

pub fn essential_hash() -> &'static str {
    &notice().essential_hash
}

pub fn text(lang: Lang) -> &'static str {
    match lang {
        Lang::En => &notice().en,
        Lang::Zh => &notice().zh,
    }
}

/// Records the current version, so that later versions can tell whether
/// what a user accepted still covers the essential purposes.
pub async fn publish(db: &impl ConnectionTrait) -> AppResult<()> {
    if notice_versions::Entity::find_by_id(version().to_owned())
        .one(db)
        .await?
        .is_none()
    {
        let row = notice_versions::ActiveModel {
            version: Set(version().to_owned()),
            essential_hash: Set(essential_hash().to_owned()),
            published_at: Set(Utc::now()),
        };
        // Two instances starting at once may both try: the loser's insert
        // does nothing; any other failure is start-up's error.
        notice_versions::Entity::insert(row)
            .on_conflict_do_nothing()
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// True when the version a user accepted no longer covers today's
/// essential purposes (or is unknown).
pub async fn needs_acceptance(db: &impl ConnectionTrait, accepted: &str) -> AppResult<bool> {
    if accepted == version() {
        return Ok(false);
    }
    let row = notice_versions::Entity::find_by_id(accepted.to_owned())
        .one(db)
        .await?;
    Ok(row.is_none_or(|r| r.essential_hash != essential_hash()))
}

fn render(lang: Lang, policies: &PolicyTable) -> String {
    let zh = lang == Lang::Zh;
    let t = |en: &'static str, zh_text: &'static str| if zh { zh_text } else { en };
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", t("agora privacy notice", "agora 隐私政策"));
    let _ = writeln!(out, "{}: `{{version}}`\n", t("Version", "版本"));
    let _ = writeln!(
        out,
        "{} {} ({}). {}\n",
        t("Controller:", "个人信息处理者："),
        catalog::CONTROLLER,
        catalog::CONTROLLER_CONTACT,
        t(
            "Essential purposes are accepted with this notice; optional ones are off until you turn them on, and sensitive data always needs your separate consent. You can withdraw any consent in one step, export your data and deregister.",
            "基本功能随本政策一并同意；扩展功能默认关闭，须你单独开启；敏感个人信息始终需要你的单独同意。你可以一步撤回任何同意、导出你的数据并注销。"
        )
    );
    for purpose in PURPOSES {
        render_purpose(&mut out, purpose, lang, policies);
    }
    out
}

fn render_purpose(out: &mut String, p: &Purpose, lang: Lang, policies: &PolicyTable) {
    let zh = lang == Lang::Zh;
    let necessity = match (p.necessity, zh) {
        (Necessity::Essential, false) => "essential",
        (Necessity::Essential, true) => "基本功能",
        (Necessity::Optional, false) => "optional, off by default",
        (Necessity::Optional, true) => "扩展功能，默认关闭",
    };
    let (name, why) = if zh {
        (p.name_zh, p.description_zh)
    } else {
        (p.name_en, p.description_en)
    };
    let _ = writeln!(out, "## {name} (`{}`) — {necessity}\n\n{why}\n", p.key);
    let _ = writeln!(
        out,
        "- {}: {}\n- {}: {}",
        if zh { "法律依据" } else { "Legal basis" },
        p.legal_basis.dpv(),
        if zh { "保存期限" } else { "Retention" },
        p.retention.rule()
    );
    for item in p.item_defs() {
        let sensitive = match (item.sensitivity, zh) {
            (Sensitivity::Sensitive, false) => " — sensitive: needs your separate consent",
            (Sensitivity::Sensitive, true) => " — 敏感个人信息：需你单独同意",
            _ => "",
        };
        let collected = collected_by(p.key, item.key, policies, zh);
        let name = if zh { item.name_zh } else { item.name_en };
        let _ = writeln!(out, "- `{}` {name}{sensitive}{collected}", item.key);
    }
    out.push('\n');
}

/// Where the API collects an item for a purpose, from the field tags.
fn collected_by(purpose: &str, item: &str, policies: &PolicyTable, zh: bool) -> String {
    let mut uses = Vec::new();
    for op in &policies.operations {
        for field in &op.fields {
            if let Tag::Personal {
                item: i,
                purpose: p,
                need,
            } = field.tag
            {
                if i.key == item && p.key == purpose {
                    let need = match (need, zh) {
                        (Need::Required, false) => "required",
                        (Need::Required, true) => "必填",
                        (Need::Optional, false) => "optional",
                        (Need::Optional, true) => "选填",
                    };
                    uses.push(format!("{} `{}` ({need})", op.operation_id, field.name));
                }
            }
        }
    }
    if uses.is_empty() {
        String::new()
    } else {
        format!(
            "; {} {}",
            if zh { "收集于" } else { "collected by" },
            uses.join(", ")
        )
    }
}
