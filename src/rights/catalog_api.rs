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
        catalog::{
            self, EndAction, Necessity, Sensitivity, Storage, Subject, Withdrawal, PURPOSES,
        },
        notice,
        policy::Location,
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
    pub location: Location,
    pub field: String,
    /// `optional` is 选填.
    pub necessity: Need,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CatalogItem {
    pub key: String,
    /// Fideslang-style category.
    pub category: String,
    /// W3C DPV term (`ext:` where DPV has none).
    pub dpv: String,
    pub sensitivity: Sensitivity,
    pub subject: Subject,
    /// How it is kept.
    pub storage: Storage,
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
    pub necessity: Necessity,
    /// `until_account_closure`, an ISO 8601 duration, `event + duration`, `ephemeral`, …
    pub retention: String,
    /// What happens when retention ends.
    pub end_action: EndAction,
    /// `allowed`, or `by_deregistration` for what the account needs.
    pub withdrawal: Withdrawal,
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
    pub lang: NoticeLang,
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
                        location: field.location,
                        field: field.name.clone(),
                        necessity: need,
                    });
                }
            }
        }
    }
    out
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
            necessity: p.necessity,
            retention: p.retention.rule(),
            end_action: p.end_action,
            withdrawal: p.withdrawal,
            items: p
                .item_defs()
                .map(|i| CatalogItem {
                    key: i.key.into(),
                    category: i.category.into(),
                    dpv: i.dpv.into(),
                    sensitivity: i.sensitivity,
                    subject: i.subject,
                    storage: i.storage,
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
            Some(NoticeLang::Zh) => (notice::Lang::Zh, NoticeLang::Zh),
            _ => (notice::Lang::En, NoticeLang::En),
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
                lang: code,
                markdown,
                purposes: catalog().purposes,
            }))
        } else {
            NoticeBody::Markdown(PlainText(markdown))
        };
        Ok(NoticeResponse::Ok(body, notice::version().to_owned()))
    }
}
