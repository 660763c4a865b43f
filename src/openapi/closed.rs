//! The closed sets the catalog, the receipts and the spec itself define,
//! which the views carry as text: each named once (`ItemKey`,
//! `OperationId`, `LegalBasis`) or listed in place, from the same
//! constants that write the values.
use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::privacy::{
    catalog::{LegalBasis, CONTROLLER, CONTROLLER_CONTACT, ITEMS, JURISDICTION},
    consents::{COLLECTION_METHOD, CONSENT_TYPE, RECEIPT_LANGUAGE, RECEIPT_VERSION},
};

/// Replaces the schema at `pointer` in `model`, keeping its description.
fn set(schemas: &mut serde_json::Map<String, Value>, model: &str, pointer: &str, schema: &Value) {
    let Some(property) = schemas.get_mut(model).and_then(|m| m.pointer_mut(pointer)) else {
        return;
    };
    let description = property.get("description").cloned();
    *property = schema.clone();
    if let Some(description) = description {
        property["description"] = description;
    }
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn one_of_these<'a>(values: impl IntoIterator<Item = &'a str>) -> Value {
    let values: BTreeSet<&str> = values.into_iter().collect();
    json!({ "type": "string", "enum": values })
}

pub(super) fn catalog_sets(spec: &mut Value) {
    let operation_ids: BTreeSet<String> = super::operations_mut(spec)
        .filter_map(|op| op["operationId"].as_str().map(str::to_owned))
        .collect();
    let Some(schemas) = spec["components"]["schemas"].as_object_mut() else {
        return;
    };
    schemas.insert(
        "ItemKey".into(),
        json!({
            "type": "string",
            "description": "An item of the privacy catalog (`GET /privacy/catalog`).",
            "enum": ITEMS.iter().map(|i| i.key).collect::<Vec<_>>(),
        }),
    );
    schemas.insert(
        "OperationId".into(),
        json!({
            "type": "string",
            "description": "An operation of this API, by its `operationId`.",
            "enum": operation_ids,
        }),
    );
    schemas.insert(
        "LegalBasis".into(),
        json!({
            "type": "string",
            "description": "A W3C DPV legal basis.",
            "enum": LegalBasis::ALL.iter().map(|b| b.dpv()).collect::<Vec<_>>(),
        }),
    );
    let (item, operation, basis) = (
        reference("ItemKey"),
        reference("OperationId"),
        reference("LegalBasis"),
    );
    for (model, pointer, schema) in [
        ("CatalogItem", "/properties/key", &item),
        ("ReceiptItem", "/properties/item", &item),
        ("ProcessingRecord", "/properties/items/items", &item),
        ("ExportedProcessing", "/properties/items/items", &item),
        ("RefusedPurpose", "/properties/items/items", &item),
        ("Collection", "/properties/operation_id", &operation),
        ("ProcessingRecord", "/properties/operation_id", &operation),
        ("ExportedProcessing", "/properties/operation_id", &operation),
        ("CatalogPurpose", "/properties/legal_basis", &basis),
        ("ConsentReceipt", "/properties/legal_basis", &basis),
        (
            "ConsentReceipt",
            "/properties/termination",
            &reference("EndAction"),
        ),
    ] {
        set(schemas, model, pointer, schema);
    }
    let categories = one_of_these(ITEMS.iter().map(|i| i.category));
    let dpv = one_of_these(ITEMS.iter().map(|i| i.dpv));
    let constants = [
        ("ConsentReceipt", "receipt_version", RECEIPT_VERSION),
        ("ConsentReceipt", "collection_method", COLLECTION_METHOD),
        ("ConsentReceipt", "language", RECEIPT_LANGUAGE),
        ("ConsentReceipt", "consent_type", CONSENT_TYPE),
        ("ConsentReceipt", "jurisdiction", JURISDICTION),
        ("Catalog", "jurisdiction", JURISDICTION),
        ("Catalog", "controller", CONTROLLER),
        ("ReceiptController", "name", CONTROLLER),
        ("ReceiptController", "contact", CONTROLLER_CONTACT),
        (
            "ExportDocument",
            "format",
            crate::rights::api::EXPORT_FORMAT,
        ),
    ];
    for (model, pointer, schema) in [
        ("CatalogItem", "/properties/category", &categories),
        ("ReceiptItem", "/properties/category", &categories),
        ("CatalogItem", "/properties/dpv", &dpv),
        ("ReceiptItem", "/properties/dpv", &dpv),
    ] {
        set(schemas, model, pointer, schema);
    }
    for (model, field, value) in constants {
        set(
            schemas,
            model,
            &format!("/properties/{field}"),
            &one_of_these([value]),
        );
    }
}
