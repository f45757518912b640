//! kustomize's deprecation warnings (`Kustomization.CheckDeprecatedFields`):
//! one line per deprecated field a kustomization sets, printed as each
//! kustomization is read. The words are kustomize's, except that the fix
//! they point at is `strata edit fix`.

use serde_json::Value;

use crate::load::kustomization::Kustomization;

const RUN_EDIT_FIX: &str = "Run 'strata edit fix' to update your Kustomization automatically.";
const RUN_EDIT_FIX_EXPERIMENTAL: &str =
    "[EXPERIMENTAL] Run 'strata edit fix' to update your Kustomization automatically.";

/// The deprecated fields in kustomize's order: field, replacement, and
/// whether the fix is experimental.
const DEPRECATED: [(&str, &str, bool); 6] = [
    ("bases", "resources", false),
    ("commonLabels", "labels", false),
    ("imageTags", "images", false),
    ("patchesJson6902", "patches", false),
    ("patchesStrategicMerge", "patches", false),
    ("vars", "replacements", true),
];

/// The warnings for `k`. kustomize warns for a field that is set at all,
/// even to an empty list; a typed empty list cannot tell, so `text` (the
/// file) is read for those.
pub fn of(k: &Kustomization, text: impl FnOnce() -> Option<String>) -> Vec<String> {
    let set = [
        !k.bases.is_empty(),
        k.common_labels.is_some(),
        !k.image_tags.is_empty(),
        !k.patches_json6902.is_empty(),
        !k.patches_strategic_merge.is_empty(),
        !k.vars.is_empty(),
    ];
    let mut raw: Option<Option<Value>> = None;
    let mut text = Some(text);
    let mut out = Vec::new();
    for ((field, replacement, experimental), set) in DEPRECATED.iter().zip(set) {
        let present = set || {
            let raw = raw.get_or_insert_with(|| {
                let text = text.take().and_then(|read| read())?;
                // Only a file that names a deprecated field is parsed again.
                if !DEPRECATED.iter().any(|(f, _, _)| text.contains(f)) {
                    return None;
                }
                crate::yaml::parse_config(&text, std::path::Path::new("kustomization")).ok()
            });
            raw.as_ref()
                .and_then(|r| r.get(*field))
                .is_some_and(|v| !v.is_null())
        };
        if present {
            let fix = if *experimental {
                RUN_EDIT_FIX_EXPERIMENTAL
            } else {
                RUN_EDIT_FIX
            };
            out.push(format!(
                "# Warning: '{field}' is deprecated. Please use '{replacement}' instead. {fix}"
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn warnings(text: &str) -> Vec<String> {
        let k = Kustomization::parse(text, Path::new("kustomization.yaml")).unwrap();
        of(&k, || Some(text.to_string()))
    }

    #[test]
    fn every_deprecated_field_in_kustomizes_order_and_words() {
        let out = warnings(
            "vars: []\npatchesJson6902: []\nbases: [a]\nimageTags: [{name: x, newTag: '1'}]\n\
             commonLabels: {}\npatchesStrategicMerge: [p.yaml]\n",
        );
        assert_eq!(
            out,
            [
                "# Warning: 'bases' is deprecated. Please use 'resources' instead. Run 'strata edit fix' to update your Kustomization automatically.",
                "# Warning: 'commonLabels' is deprecated. Please use 'labels' instead. Run 'strata edit fix' to update your Kustomization automatically.",
                "# Warning: 'imageTags' is deprecated. Please use 'images' instead. Run 'strata edit fix' to update your Kustomization automatically.",
                "# Warning: 'patchesJson6902' is deprecated. Please use 'patches' instead. Run 'strata edit fix' to update your Kustomization automatically.",
                "# Warning: 'patchesStrategicMerge' is deprecated. Please use 'patches' instead. Run 'strata edit fix' to update your Kustomization automatically.",
                "# Warning: 'vars' is deprecated. Please use 'replacements' instead. [EXPERIMENTAL] Run 'strata edit fix' to update your Kustomization automatically.",
            ]
        );
    }

    #[test]
    fn null_and_absent_fields_and_their_replacements_warn_nothing() {
        assert!(
            warnings("vars:\ncommonLabels:\nresources: [a]\nlabels: []\npatches: []\n").is_empty()
        );
    }
}
