//! Examples of the data-rights answers, composed where the wiring already
//! finishes them: the export from the examples of the sections its owners
//! declare (typed here, `rules::export_sections`), the catalog and the
//! notice from the privacy catalog itself. Short: one purpose, one item.
use poem_openapi::types::ToJSON;
use serde_json::{Map, Value};

use crate::{
    api::examples::{id, time, NOTICE_VERSION},
    privacy::{
        catalog::{self, Purpose, CONTROLLER, CONTROLLER_CONTACT, JURISDICTION},
        policy::Location,
        tags::Need,
    },
    rights::{
        api::{ContentChoice, DeregistrationView, ExportDocument, ScopeChoice, EXPORT_FORMAT},
        catalog_api::{
            Catalog, CatalogItem, CatalogPurpose, Collection, NoticeDocument, NoticeLang,
        },
        privacy_api::ConsentState,
    },
};

/// The purpose the examples show: optional, one item, one operation.
const PURPOSE: &str = "location";

pub(super) fn rights_examples(spec: &mut Value) {
    let Some(schemas) = spec["components"]["schemas"].as_object_mut() else {
        return;
    };
    let purpose = catalog::purpose(PURPOSE).unwrap_or(&catalog::PURPOSES[0]);
    let examples = [
        ("ExportDocument", export(schemas).to_json()),
        ("ConsentState", consent_state(purpose).to_json()),
        ("DeregistrationView", deregistration().to_json()),
        ("Catalog", catalog_example(purpose).to_json()),
        ("NoticeDocument", notice(purpose).to_json()),
    ];
    for (name, example) in examples {
        if let (Some(schema), Some(example)) = (schemas.get_mut(name), example) {
            schema["example"] = example;
        }
    }
}

/// Each section its owner's example (a list of one); a list whose item
/// has none is empty, as a new account's are.
fn export(schemas: &Map<String, Value>) -> ExportDocument {
    let example_of = |reference: &Value| {
        let name = reference.as_str()?.rsplit('/').next()?;
        schemas.get(name)?.get("example").cloned()
    };
    let declared = schemas
        .get("ExportDocument")
        .and_then(|d| d.pointer("/properties/sections/properties"))
        .and_then(Value::as_object);
    let mut sections = std::collections::BTreeMap::new();
    for (name, schema) in declared.into_iter().flatten() {
        let example = if schema["type"] == "array" {
            Some(Value::Array(
                example_of(&schema["items"]["$ref"]).into_iter().collect(),
            ))
        } else {
            example_of(&schema["$ref"])
        };
        if let Some(example) = example {
            sections.insert(name.clone(), example);
        }
    }
    ExportDocument {
        format: EXPORT_FORMAT.into(),
        generated_at: time(30, 10, 0),
        user_id: id("UserId"),
        sections,
    }
}

fn consent_state(purpose: &Purpose) -> ConsentState {
    ConsentState {
        purpose: purpose.key.into(),
        necessity: purpose.necessity,
        granted: true,
        sensitive_items: purpose
            .sensitive_items()
            .into_iter()
            .map(Into::into)
            .collect(),
        updated_at: Some(time(26, 8, 30)),
    }
}

/// Closing the account, posts kept as by a deleted user
/// (`DeregistrationRequest`'s example), with the default cooling-off.
fn deregistration() -> DeregistrationView {
    let requested_at = time(29, 22, 0);
    let cooling_off = crate::config::Config::default().deregistration_cooling_off;
    DeregistrationView {
        id: id("DeregistrationId"),
        scope: ScopeChoice::Account,
        content: ContentChoice::Anonymize,
        requested_at,
        effective_at: requested_at + cooling_off,
    }
}

fn catalog_purpose(p: &Purpose) -> CatalogPurpose {
    CatalogPurpose {
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
                // `PUT /me/location` takes the city.
                collected_by: vec![Collection {
                    operation_id: "me_set_location".into(),
                    location: Location::Body,
                    field: i.key.into(),
                    necessity: Need::Required,
                }],
            })
            .collect(),
    }
}

fn catalog_example(purpose: &Purpose) -> Catalog {
    Catalog {
        notice_version: NOTICE_VERSION.into(),
        controller: CONTROLLER.into(),
        jurisdiction: JURISDICTION.into(),
        purposes: vec![catalog_purpose(purpose)],
    }
}

/// The notice's opening and its section on the example purpose, as
/// `privacy::notice` writes them.
fn notice(p: &Purpose) -> NoticeDocument {
    let items: String = p
        .item_defs()
        .map(|i| {
            format!(
                "- `{}` {}; collected by me_set_location `{}` (required)\n",
                i.key, i.name_en, i.key
            )
        })
        .collect();
    let markdown = format!(
        "# agora privacy notice\n\nVersion: `{NOTICE_VERSION}`\n\n\
         Controller: {CONTROLLER} ({CONTROLLER_CONTACT}). Essential purposes are accepted \
         with this notice; optional ones are off until you turn them on, and sensitive data \
         always needs your separate consent. You can withdraw any consent in one step, \
         export your data and deregister.\n\n\
         ## {} (`{}`) — optional, off by default\n\n{}\n\n\
         - Legal basis: {}\n- Retention: {}\n{items}",
        p.name_en,
        p.key,
        p.description_en,
        p.legal_basis.dpv(),
        p.retention.rule(),
    );
    NoticeDocument {
        version: NOTICE_VERSION.into(),
        lang: NoticeLang::En,
        markdown,
        purposes: vec![catalog_purpose(p)],
    }
}
