//! YAML output, written byte for byte as `kustomize build` writes it.
//! (Being written: see the YAML output task.)

use serde_json::Value;

use crate::resource::ResourceMap;

/// One document, ending in exactly one newline.
pub fn document(value: &Value) -> String {
    let _ = value;
    String::new()
}

/// All resources, joined with `---` lines.
pub fn stream(resources: &ResourceMap) -> String {
    resources
        .iter()
        .map(|r| document(r.object()))
        .collect::<Vec<_>>()
        .join("---\n")
}
