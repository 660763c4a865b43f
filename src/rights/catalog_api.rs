//! `/privacy/catalog` and `/privacy/notice`: what agora collects, for
//! which purpose, and the notice generated from it.
use poem_openapi::{
    param::Query,
    payload::{Json, PlainText},
    ApiResponse, Enum, Object, OpenApi, ResponseContent,
};

use crate::{
    api::ApiTags,
    error::AppResult,
    privacy::{
        catalog::{self, PURPOSES},
        notice,
        tags::{Need, Tag},
    },
};

pub struct PrivacyApi;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum NoticeLang {
    En,
    Zh,
}

/// Where the API collects an item.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Collection {
    pub operation_id: String,
    /// `body`, `query`, `path` or `header`.
    pub location: String,
    pub field: String,
    /// `required` or `optional` (选填).
    pub necessity: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CatalogItem {
    pub key: String,
    /// Fideslang-style category.
    pub category: String,
    /// W3C DPV term (`ext:` where DPV has none).
    pub dpv: String,
    /// `personal` or `sensitive`.
    pub sensitivity: String,
    /// `user`, `child` or `guardian`.
    pub subject: String,
    /// `plain`, `encrypted`, `encrypted_blind_index`, `hashed`, `ephemeral`, `aggregated`.
    pub storage: String,
    pub name_en: String,
    pub name_zh: String,
    pub collected_by: Vec<Collection>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CatalogPurpose {
    pub key: String,
    pub name_en: String,
    pub name_zh: String,
    pub description_en: String,
    pub description_zh: String,
    /// A DPV legal basis.
    pub legal_basis: String,
    /// `essential` (accepted with the notice) or `optional` (off until granted).
    pub necessity: String,
    /// `until_account_closure`, an ISO 8601 duration, `event + duration`, `ephemeral`, …
    pub retention: String,
    /// `delete` or `anonymise`, when retention ends.
    pub end_action: String,
    /// `allowed`, or `by_deregistration` for what the account needs.
    pub withdrawal: String,
    pub items: Vec<CatalogItem>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Catalog {
    /// The notice version this catalog produces.
    pub notice_version: String,
    pub controller: String,
    pub jurisdiction: String,
    pub purposes: Vec<CatalogPurpose>,
}

#[derive(ApiResponse)]
pub enum CatalogResponse {
    /// The catalog.
    #[oai(status = 200)]
    Ok(Json<Catalog>),
}

#[derive(ApiResponse)]
pub enum NoticeResponse {
    /// The notice with its version and the purposes it declares; with
    /// `Accept: text/markdown` (or `text/plain`), the Markdown alone.
    #[oai(status = 200)]
    Ok(
        NoticeBody,
        /// The notice version: accept it when registering.
        #[oai(header = "X-Notice-Version")]
        String,
    ),
}

/// The notice as Markdown, or as a document.
#[derive(ResponseContent)]
pub enum NoticeBody {
    Markdown(PlainText<String>),
    Document(Json<NoticeDocument>),
}

/// The notice with what a client needs to show and accept it.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NoticeDocument {
    /// Accept this version when registering (`accepted_notice_version`).
    pub version: String,
    /// `en` or `zh`.
    pub lang: String,
    pub markdown: String,
    /// The purposes the notice declares, as in `/privacy/catalog`.
    pub purposes: Vec<CatalogPurpose>,
}

fn collections(purpose: &str, item: &str) -> Vec<Collection> {
    let mut out = Vec::new();
    for op in crate::privacy::spec::policies()
        .iter()
        .flat_map(|p| &p.operations)
    {
        for field in &op.fields {
            if let Tag::Personal {
                item: i,
                purpose: p,
                need,
            } = field.tag
            {
                if i.key == item && p.key == purpose {
                    out.push(Collection {
                        operation_id: op.operation_id.clone(),
                        location: format!("{:?}", field.location).to_lowercase(),
                        field: field.name.clone(),
                        necessity: if need == Need::Required {
                            "required"
                        } else {
                            "optional"
                        }
                        .into(),
                    });
                }
            }
        }
    }
    out
}

pub fn snake<T: serde::Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub fn catalog() -> Catalog {
    let purposes = PURPOSES
        .iter()
        .map(|p| CatalogPurpose {
            key: p.key.into(),
            name_en: p.name_en.into(),
            name_zh: p.name_zh.into(),
            description_en: p.description_en.into(),
            description_zh: p.description_zh.into(),
            legal_basis: p.legal_basis.dpv().into(),
            necessity: snake(p.necessity),
            retention: p.retention.rule(),
            end_action: snake(p.end_action),
            withdrawal: snake(p.withdrawal),
            items: p
                .item_defs()
                .map(|i| CatalogItem {
                    key: i.key.into(),
                    category: i.category.into(),
                    dpv: i.dpv.into(),
                    sensitivity: snake(i.sensitivity),
                    subject: snake(i.subject),
                    storage: snake(i.storage),
                    name_en: i.name_en.into(),
                    name_zh: i.name_zh.into(),
                    collected_by: collections(p.key, i.key),
                })
                .collect(),
        })
        .collect();
    Catalog {
        notice_version: notice::version().into(),
        controller: catalog::CONTROLLER.into(),
        jurisdiction: catalog::JURISDICTION.into(),
        purposes,
    }
}

#[OpenApi(prefix_path = "/privacy", tag = "ApiTags::Privacy")]
impl PrivacyApi {
    /// Every data item and purpose, generated from the code's tags.
    #[oai(
        path = "/catalog",
        method = "get",
        operation_id = "privacy_get_catalog"
    )]
    async fn get_catalog(&self) -> AppResult<CatalogResponse> {
        Ok(CatalogResponse::Ok(Json(catalog())))
    }

    /// The privacy notice, generated from the catalog: JSON, or Markdown
    /// with `Accept: text/markdown`.
    #[oai(path = "/notice", method = "get", operation_id = "privacy_get_notice")]
    async fn get_notice(
        &self,
        /// `en` (default) or `zh`.
        /// privacy: not personal
        lang: Query<Option<NoticeLang>>,
        req: &poem::Request,
    ) -> AppResult<NoticeResponse> {
        let (lang, code) = match lang.0 {
            Some(NoticeLang::Zh) => (notice::Lang::Zh, "zh"),
            _ => (notice::Lang::En, "en"),
        };
        let markdown = notice::text(lang).to_owned();
        // JSON unless text is asked for: generated clients send no Accept
        // (or `*/*`) and parse the JSON the spec lists.
        let wants_text = req
            .header("accept")
            .is_some_and(|a| a.contains("text/plain") || a.contains("text/markdown"));
        let body = if !wants_text {
            NoticeBody::Document(Json(NoticeDocument {
                version: notice::version().to_owned(),
                lang: code.to_owned(),
                markdown,
                purposes: catalog().purposes,
            }))
        } else {
            NoticeBody::Markdown(PlainText(markdown))
        };
        Ok(NoticeResponse::Ok(body, notice::version().to_owned()))
    }
}
