//! kustomize's `replacements`: copy a value from one resource's field into
//! fields of other resources.
//!
//! Each replacement has one `source` (exactly one resource must match it;
//! `fieldPath` defaults to `metadata.name`) and `targets`, each with
//! `select`, optional `reject`s, `fieldPaths` and `options`. Replacements
//! run in order, each seeing the previous ones' results. Source paths are
//! read as kyaml's `PathGetter` reads them and target paths are walked as
//! its `PathMatcher` walks them (see [`crate::engine::fieldpath`]).
//!
//! Types follow kustomize, which writes into YAML nodes and re-reads the
//! result: an existing scalar keeps its type and takes the source's text
//! (a number written into a string field becomes a string; text that is not
//! a number written into a number field is an error), a map or list target
//! is replaced by the source value as it is, and a field made by
//! `options.create` is read back as plain YAML (the string `"1"` becomes
//! the number 1).
//!
//! Entries are read with the kustomization
//! (`crate::load::kustomization::replacements`); `select` picks resources
//! and `scalar` types YAML scalar text.
//!
//! Selection uses a private matcher (the shared selector module was not in
//! this tree yet): ids compare as kustomize's `ResId.IsSelectedBy`, against
//! a resource's current and previous ids, with an unset namespace equal to
//! `default` for every kind; label and annotation selectors use the
//! Kubernetes selector syntax.

mod scalar;
mod select;

use serde_json::Value;

use crate::engine::fieldpath::{self, FieldPath};
use crate::error::{Error, Result};
use crate::kyaml::{node_text, Null};
use crate::resource::{Resource, ResourceMap};

pub use crate::load::kustomization::replacements::{
    FieldOptions, IdSelector, Replacement, Selector, SourceSelector, TargetSelector,
};
use scalar::{decode, resolve_plain, Tag};
use select::{id_string, is_target, select_source};

/// The source field path when none is given.
pub const DEFAULT_FIELD_PATH: &str = "metadata.name";

// ---------------------------------------------------------------------------
// Applying

/// Applies the replacements in order to every resource.
pub fn apply(resources: &mut ResourceMap, replacements: &[Replacement]) -> Result<()> {
    if replacements.is_empty() {
        return Ok(());
    }
    let mut edit = resources.edit();
    for replacement in replacements {
        apply_one(&mut edit, replacement).map_err(|e| {
            let named = Error::msg(format!("{}: {e}", replacement.origin));
            match e.hint() {
                Some(hint) => named.with_hint(hint),
                None => named,
            }
        })?;
    }
    Ok(())
}

fn apply_one(resources: &mut [Resource], replacement: &Replacement) -> Result<()> {
    let (Some(source), Some(targets)) = (&replacement.source, &replacement.targets) else {
        return Err(Error::msg(
            "replacements must specify a source and at least one target",
        ));
    };
    let value = source_value(resources, source)?;
    for target in targets {
        let Some(select) = &target.select else {
            return Err(Error::msg("target must specify resources to select"));
        };
        let paths: Vec<FieldPath> = if target.field_paths.is_empty() {
            vec![FieldPath::parse(DEFAULT_FIELD_PATH)]
        } else {
            target
                .field_paths
                .iter()
                .map(|p| FieldPath::parse(p))
                .collect()
        };
        let options = target.options.clone().unwrap_or_default();
        for resource in resources.iter_mut() {
            if !is_target(resource, select, &target.reject)? {
                continue;
            }
            for path in &paths {
                write_target(resource, path, &value, &options)?;
            }
        }
    }
    Ok(())
}

// --- source

/// A value on its way to a target: a scalar as YAML holds it (type tag plus
/// text, so a delimiter can cut the text and keep the tag) or a map or list.
#[derive(Clone, Debug, PartialEq)]
enum Picked {
    Scalar(Tag, String),
    Node(Value),
}

impl Picked {
    fn from_value(value: &Value) -> Picked {
        match Tag::of(value) {
            Some(tag) => Picked::Scalar(tag, node_text(value, Null::Empty).into_owned()),
            None => Picked::Node(value.clone()),
        }
    }

    /// The node's scalar text (empty for maps and lists, as in kyaml).
    fn text(&self) -> &str {
        match self {
            Picked::Scalar(_, text) => text,
            Picked::Node(_) => "",
        }
    }
}

fn source_value(resources: &[Resource], source: &SourceSelector) -> Result<Picked> {
    let resource = select_source(resources, source)?;
    let text = if source.field_path.is_empty() {
        DEFAULT_FIELD_PATH
    } else {
        &source.field_path
    };
    let path = FieldPath::parse(text);
    let found = fieldpath::lookup(resource.object(), &path)
        .map_err(|e| Error::msg(format!("error looking up replacement source: {e}")))?;
    let value = match found {
        Some(value) if !is_empty_node(value) => value,
        _ => {
            return Err(Error::msg(format!(
                "fieldPath `{text}` is missing for replacement source {}",
                id_string(&source.id)
            )))
        }
    };
    refine(Picked::from_value(value), source.options.as_ref())
}

/// kyaml's `IsNilOrEmpty`: null, `{}` and `[]` count as missing.
fn is_empty_node(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Object(map) => map.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// The source's delimiter and index pick one part of a scalar.
fn refine(picked: Picked, options: Option<&FieldOptions>) -> Result<Picked> {
    let Some(options) = options.filter(|o| !o.delimiter.is_empty()) else {
        return Ok(picked);
    };
    let Picked::Scalar(tag, text) = picked else {
        return Err(Error::msg(
            "delimiter option can only be used with scalar nodes",
        ));
    };
    let parts: Vec<&str> = text.split(options.delimiter.as_str()).collect();
    let part = usize::try_from(options.index)
        .ok()
        .and_then(|i| parts.get(i))
        .ok_or_else(|| {
            Error::msg(format!(
                "options.index {} is out of bounds for value {text}",
                options.index
            ))
        })?;
    Ok(Picked::Scalar(tag, (*part).to_string()))
}

// --- targets

/// Writes the value at one target field path. Errors read as kustomize's,
/// with the target resource's id appended.
fn write_target(
    resource: &mut Resource,
    path: &FieldPath,
    value: &Picked,
    options: &FieldOptions,
) -> Result<()> {
    let id = resource.id();
    let mut visited = 0;
    let mut writing_failed = false;
    let result = fieldpath::visit_mut_created(
        resource.object_mut(),
        path,
        options.create,
        &mut |field, created| {
            visited += 1;
            let written = set_field(field, created, value, options);
            writing_failed = written.is_err();
            written
        },
    );
    let what = if options.create {
        "unable to find or create field"
    } else {
        "unable to find field"
    };
    match result {
        Err(e) if writing_failed => {
            Err(Error::msg(format!("{e} (field \"{path}\" of target {id})")))
        }
        Err(e) => Err(Error::msg(format!(
            "{what} \"{path}\" in replacement target: {e} (target {id})"
        ))),
        Ok(()) if visited == 0 => {
            let error = Error::msg(format!(
                "{what} \"{path}\" in replacement target (target {id})"
            ));
            Err(if options.create {
                error
            } else {
                error.with_hint(
                    "add `options: {create: true}` to the target to create missing fields",
                )
            })
        }
        Ok(()) => Ok(()),
    }
}

/// kustomize's `setFieldValue`, plus the re-read its output goes through.
fn set_field(
    field: &mut Value,
    created: bool,
    value: &Picked,
    options: &FieldOptions,
) -> Result<()> {
    // A created leaf has the source's node kind and no type yet.
    let target_is_scalar = if created {
        matches!(value, Picked::Scalar(..))
    } else {
        Tag::of(field).is_some()
    };
    let mut value = value.clone();
    if !options.delimiter.is_empty() {
        if !target_is_scalar {
            return Err(Error::msg(
                "delimiter option can only be used with scalar nodes",
            ));
        }
        let current = if created {
            String::new()
        } else {
            node_text(field, Null::Empty).into_owned()
        };
        let joined = splice(&current, &options.delimiter, options.index, value.text());
        value = match value {
            Picked::Scalar(tag, _) => Picked::Scalar(tag, joined),
            // Only the text reaches a scalar target.
            Picked::Node(_) => Picked::Scalar(Tag::Str, joined),
        };
    }
    *field = if created {
        match value {
            Picked::Scalar(_, text) => resolve_plain(&text)?.1,
            Picked::Node(node) => node,
        }
    } else if let Some(tag) = Tag::of(field) {
        // A scalar target keeps its type and takes the text.
        decode(tag, value.text())?
    } else {
        match value {
            Picked::Scalar(tag, text) => decode(tag, &text)?,
            Picked::Node(node) => node,
        }
    };
    Ok(())
}

/// Puts `value` into part `index` of `current` split on `delimiter`:
/// a negative index prefixes, one past the end appends.
fn splice(current: &str, delimiter: &str, index: i64, value: &str) -> String {
    let mut parts: Vec<&str> = current.split(delimiter).collect();
    match usize::try_from(index) {
        Err(_) => parts.insert(0, value),
        Ok(i) if i >= parts.len() => parts.push(value),
        Ok(i) => parts[i] = value,
    }
    parts.join(delimiter)
}

#[cfg(test)]
mod tests {
    //! Every expected value here was produced by `kubectl kustomize`
    //! (kustomize v5.5.0) on the same resources and replacements.

    use super::*;
    use crate::fs::MemFs;
    use crate::load::kustomization::replacements::{from_value, parse};
    use crate::load::loader::{LoadRestrictions, Loader};
    use crate::testing::resources;

    use serde_json::json;
    use std::path::PathBuf;

    /// Parses `replacements` as a kustomization holds them and applies them.
    fn run(resources: &mut ResourceMap, replacements: Value) -> std::result::Result<(), String> {
        let fs = MemFs::new();
        let root = PathBuf::from("/k");
        let loader = Loader::new(&fs, &root, LoadRestrictions::RootOnly);
        let entries = replacements.as_array().cloned().unwrap_or_default();
        let parsed =
            parse(&entries, &mut |p: &str| loader.read_to_string(p)).map_err(|e| e.to_string())?;
        apply(resources, &parsed).map_err(|e| e.to_string())
    }

    fn types_resources() -> ResourceMap {
        resources(&[
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "src"},
                   "data": {"s": "1", "t": "true", "e": "", "abc": "abc", "f": "1.5"}}),
            json!({"apiVersion": "v1", "kind": "Src2", "metadata": {"name": "src2"},
                   "spec": {"i": 5, "b": true, "m": {"a": 1}, "l": [1, 2], "n": null}}),
            json!({"apiVersion": "v1", "kind": "Target", "metadata": {"name": "tgt"},
                   "spec": {"str": "hello", "int": 3, "bool": false, "nul": null,
                            "map": {"x": 1}, "list": [9]}}),
        ])
    }

    fn one(source: &str, field_path: &str, target: &str, create: bool) -> Value {
        json!([{
            "source": {"name": source, "fieldPath": field_path},
            "targets": [{"select": {"kind": "Target"}, "fieldPaths": [target],
                         "options": {"create": create}}],
        }])
    }

    #[test]
    fn values_keep_kustomize_types() {
        // (source, source path, target path, create, expected target value)
        let cases: Vec<(&str, &str, &str, bool, Value)> = vec![
            ("src2", "spec.i", "spec.str", false, json!("5")),
            ("src2", "spec.i", "spec.map", false, json!(5)),
            ("src2", "spec.i", "spec.list", false, json!(5)),
            ("src2", "spec.i", "spec.c1", true, json!(5)),
            ("src", "data.s", "spec.int", false, json!(1)),
            ("src", "data.s", "spec.c2", true, json!(1)),
            ("src", "data.t", "spec.c3", true, json!(true)),
            ("src", "data.abc", "spec.c4", true, json!("abc")),
            ("src2", "spec.b", "spec.c5", true, json!(true)),
            ("src2", "spec.m", "spec.c6", true, json!({"a": 1})),
            ("src", "data.e", "spec.c7", true, Value::Null),
            ("src", "data.e", "spec.str", false, json!("")),
            ("src2", "spec.m", "spec.str", false, json!("")),
        ];
        for (source, from, to, create, expected) in cases {
            let mut resources = types_resources();
            run(&mut resources, one(source, from, to, create)).unwrap();
            let target = &resources.as_slice()[2];
            let got = fieldpath::get(target.object(), &FieldPath::parse(to));
            assert_eq!(got, vec![&expected], "{source} {from} -> {to}");
        }
    }

    #[test]
    fn values_that_kustomize_cannot_write_are_errors() {
        let cases = [
            ("src2", "spec.i", "spec.nul", "cannot decode !!int `5` as a !!null"),
            ("src2", "spec.m", "spec.int", "cannot decode !!null `` as a !!int"),
            ("src", "data.abc", "spec.int", "cannot decode !!str `abc` as a !!int"),
            ("src", "data.f", "spec.int", "cannot decode !!float `1.5` as a !!int"),
            (
                "src",
                "spec.s",
                "spec.str",
                "fieldPath `spec.s` is missing for replacement source [noKind].[noVer].[noGrp]/src.[noNs]",
            ),
            (
                "src2",
                "spec.n",
                "spec.str",
                "fieldPath `spec.n` is missing for replacement source [noKind].[noVer].[noGrp]/src2.[noNs]",
            ),
        ];
        for (source, from, to, message) in cases {
            let err = run(&mut types_resources(), one(source, from, to, false)).unwrap_err();
            assert!(err.contains(message), "{source} {from} -> {to}: {err}");
            assert!(err.starts_with("replacements[0]: "), "{err}");
        }
    }

    fn image_resources() -> ResourceMap {
        resources(&[
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "src"},
                   "data": {"v": "v2", "num": "42"}}),
            json!({"apiVersion": "v1", "kind": "Src", "metadata": {"name": "s"},
                   "spec": {"i": 123, "f": 1.5}}),
            json!({"apiVersion": "v1", "kind": "T", "metadata": {"name": "a"},
                   "spec": {"image": "repo/app:v1", "i": 7, "l": [1]}}),
        ])
    }

    #[test]
    fn delimiters_split_sources_and_splice_targets() {
        let cases: Vec<(Value, Value)> = vec![
            (
                json!([{"source": {"kind": "ConfigMap", "fieldPath": "data.v"}, "targets": [
                    {"select": {"kind": "T"}, "fieldPaths": ["spec.image"],
                     "options": {"delimiter": ":", "index": 1}},
                    {"select": {"kind": "T"}, "fieldPaths": ["spec.x"],
                     "options": {"delimiter": ":", "index": 0, "create": true}}]}]),
                json!({"image": "repo/app:v2", "i": 7, "l": [1], "x": "v2"}),
            ),
            (
                json!([{"source": {"kind": "ConfigMap", "fieldPath": "data.v"}, "targets": [
                    {"select": {"kind": "T"}, "fieldPaths": ["spec.image"],
                     "options": {"delimiter": "/", "index": -1}},
                    {"select": {"kind": "T"}, "fieldPaths": ["spec.x"],
                     "options": {"delimiter": ":", "index": -1, "create": true}},
                    {"select": {"kind": "T"}, "fieldPaths": ["spec.y"],
                     "options": {"delimiter": ":", "index": 3, "create": true}}]}]),
                json!({"image": "v2/repo/app:v1", "i": 7, "l": [1], "x": "v2:", "y": ":v2"}),
            ),
            (
                json!([
                    {"source": {"kind": "Src", "fieldPath": "spec.i",
                                "options": {"delimiter": "2", "index": 1}},
                     "targets": [{"select": {"kind": "T"}, "fieldPaths": ["spec.l", "spec.c"],
                                  "options": {"create": true}}]},
                    {"source": {"kind": "ConfigMap", "fieldPath": "data.num",
                                "options": {"delimiter": "4", "index": 1}},
                     "targets": [{"select": {"kind": "T"}, "fieldPaths": ["spec.image", "spec.m"],
                                  "options": {"delimiter": "/", "index": 9, "create": true}}]}]),
                json!({"image": "repo/app:v1/2", "i": 7, "l": 3, "c": 3, "m": "/2"}),
            ),
            (
                json!([{"source": {"kind": "Src", "fieldPath": "spec.f"}, "targets": [
                    {"select": {"kind": "T"}, "fieldPaths": ["spec.image", "spec.n", "spec.l"],
                     "options": {"create": true}}]}]),
                json!({"image": "1.5", "i": 7, "l": 1.5, "n": 1.5}),
            ),
        ];
        for (replacements, expected) in cases {
            let mut resources = image_resources();
            run(&mut resources, replacements.clone()).unwrap();
            assert_eq!(
                resources.as_slice()[2].object()["spec"],
                expected,
                "{replacements}"
            );
        }
    }

    #[test]
    fn an_int_written_into_a_float_field_stays_a_number() {
        let mut resources = image_resources();
        let replacements = json!([{"source": {"kind": "Src", "fieldPath": "spec.i"},
            "targets": [{"select": {"kind": "Src"}, "fieldPaths": ["spec.f"]}]}]);
        run(&mut resources, replacements).unwrap();
        // kubectl prints `f: 123`.
        assert_eq!(
            resources.as_slice()[1].object()["spec"]["f"].as_f64(),
            Some(123.0)
        );
    }

    #[test]
    fn option_errors_match_kustomize() {
        let cases = [
            (
                json!([{"source": {"kind": "ConfigMap", "fieldPath": "data.num",
                                   "options": {"delimiter": "4", "index": 2}},
                        "targets": [{"select": {"kind": "T"}}]}]),
                "options.index 2 is out of bounds for value 42",
            ),
            (
                json!([{"source": {"kind": "ConfigMap", "fieldPath": "data",
                                   "options": {"delimiter": "4"}},
                        "targets": [{"select": {"kind": "T"}}]}]),
                "delimiter option can only be used with scalar nodes",
            ),
            (
                json!([{"source": {"kind": "ConfigMap", "fieldPath": "data.num"},
                        "targets": [{"select": {"kind": "T"}, "fieldPaths": ["spec.l"],
                                     "options": {"delimiter": "x"}}]}]),
                "delimiter option can only be used with scalar nodes",
            ),
        ];
        for (replacements, message) in cases {
            let err = run(&mut image_resources(), replacements).unwrap_err();
            assert!(err.contains(message), "{err}");
        }
    }

    fn selection_resources() -> ResourceMap {
        resources(&[
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "src"},
                   "data": {"v": "NEW"}}),
            json!({"apiVersion": "v1", "kind": "T", "metadata": {"name": "a",
                   "labels": {"app": "web", "tier": "fe"}, "annotations": {"note": "x"}},
                   "spec": {"f": "0", "nul": null}}),
            json!({"apiVersion": "v1", "kind": "T", "metadata": {"name": "b",
                   "namespace": "prod", "labels": {"app": "db"}}, "spec": {"f": "0"}}),
            json!({"apiVersion": "v2", "kind": "T", "metadata": {"name": "c",
                   "namespace": "default"}, "spec": {"f": "0"}}),
            json!({"apiVersion": "v1", "kind": "Other", "metadata": {"name": "d",
                   "labels": {"app": "web"}}, "spec": {"f": "0"}}),
        ])
    }

    /// The names of the resources whose `spec.f` was replaced.
    fn replaced(resources: &ResourceMap) -> Vec<&str> {
        resources
            .iter()
            .filter(|r| r.object()["spec"]["f"] == json!("NEW"))
            .map(Resource::name)
            .collect()
    }

    #[test]
    fn targets_follow_select_and_reject() {
        let cases: Vec<(Value, Vec<&str>)> = vec![
            (
                json!({"select": {"labelSelector": "app=web"}}),
                vec!["a", "d"],
            ),
            (
                // A reject's label selector rejects whatever its id says.
                json!({"select": {"kind": "T"},
                       "reject": [{"labelSelector": "app in (db)", "kind": "Other"}]}),
                vec!["a", "c"],
            ),
            (
                json!({"select": {"namespace": "default"}, "reject": [{"name": "src"}]}),
                vec!["a", "c", "d"],
            ),
            (
                json!({"select": {"labelSelector": "!tier,app"}}),
                vec!["b", "d"],
            ),
            (
                json!({"select": {"annotationSelector": "note notin (y)", "kind": "T"}}),
                vec!["a", "b", "c"],
            ),
            (
                json!({"select": {"labelSelector": "app!=web", "version": "v1"},
                       "reject": [{"version": "v2"}, {"kind": "ConfigMap"}]}),
                vec!["b"],
            ),
        ];
        for (mut target, expected) in cases {
            target["fieldPaths"] = json!(["spec.f"]);
            let replacements = json!([{"source": {"kind": "ConfigMap", "fieldPath": "data.v"},
                                       "targets": [target.clone()]}]);
            let mut resources = selection_resources();
            run(&mut resources, replacements).unwrap();
            assert_eq!(replaced(&resources), expected, "{target}");
        }
    }

    #[test]
    fn a_namespace_selector_of_default_matches_cluster_scoped_kinds() {
        // kubectl: `select: {namespace: default, kind: ClusterRole}` picks a ClusterRole.
        let mut resources = resources(&[
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "src"},
                   "data": {"v": "NEW"}}),
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                   "metadata": {"name": "cr"}}),
        ]);
        let replacements = json!([{"source": {"kind": "ConfigMap", "fieldPath": "data.v"},
            "targets": [{"select": {"namespace": "default", "kind": "ClusterRole"},
                         "fieldPaths": ["metadata.annotations.x"], "options": {"create": true}}]}]);
        run(&mut resources, replacements).unwrap();
        assert_eq!(
            resources.as_slice()[1].object()["metadata"]["annotations"],
            json!({"x": "NEW"})
        );
    }

    #[test]
    fn bad_list_matchers_fail_only_when_reached() {
        // Messages from kubectl; the `(target ...)` suffix is ours.
        let cases = [
            (
                json!({"kind": "ConfigMap", "fieldPath": "metadata.[bad].x"}),
                json!({"kind": "Nope"}),
                json!(["metadata.name"]),
                Some("error looking up replacement source: list path element must contain fieldName=fieldValue for element to match"),
            ),
            (
                json!({"kind": "ConfigMap", "fieldPath": "data.v"}),
                json!({"kind": "Nope"}),
                json!(["metadata.[bad].x"]),
                None,
            ),
            (
                json!({"kind": "ConfigMap", "fieldPath": "data.v"}),
                json!({"kind": "T", "name": "a"}),
                json!(["metadata.[bad].x"]),
                Some("unable to find field \"metadata.[bad].x\" in replacement target: list path element must contain fieldName=fieldValue for element to match (target v1 T a)"),
            ),
            (
                json!({"kind": "ConfigMap", "fieldPath": "data.v"}),
                json!({"kind": "T", "name": "a"}),
                json!(["metadata.nope.[bad].x"]),
                Some("unable to find field \"metadata.nope.[bad].x\" in replacement target (target v1 T a)"),
            ),
        ];
        for (source, select, paths, expected) in cases {
            let replacements =
                json!([{"source": source, "targets": [{"select": select, "fieldPaths": paths}]}]);
            let got = run(&mut selection_resources(), replacements.clone());
            match expected {
                None => assert_eq!(got, Ok(()), "{replacements}"),
                Some(message) => assert_eq!(got, Err(format!("replacements[0]: {message}"))),
            }
        }
    }

    #[test]
    fn create_adds_fields_but_not_below_null() {
        let mut resources = selection_resources();
        let replacements = json!([{"source": {"kind": "ConfigMap", "fieldPath": "data.v"},
            "targets": [{"select": {"kind": "T", "name": "a"},
                         "fieldPaths": ["spec.nul.x", "metadata.annotations.[a.b/c]", "spec.g.0"],
                         "options": {"create": true}}]}]);
        run(&mut resources, replacements).unwrap();
        let a = resources.as_slice()[1].object();
        assert_eq!(a["spec"], json!({"f": "0", "nul": null, "g": ["NEW"]}));
        assert_eq!(
            a["metadata"]["annotations"],
            json!({"note": "x", "a.b/c": "NEW"})
        );
    }

    #[test]
    fn a_missing_target_field_is_an_error_without_create() {
        let replacements = json!([{"source": {"kind": "ConfigMap", "fieldPath": "data.v"},
            "targets": [{"select": {"version": "v1"}, "fieldPaths": ["spec.f"]}]}]);
        let err = run(&mut selection_resources(), replacements.clone()).unwrap_err();
        // kubectl: `unable to find field "spec.f" in replacement target`; the suffix is ours.
        let hint = apply(
            &mut selection_resources(),
            &[from_value(&replacements[0], "r".into()).unwrap()],
        )
        .unwrap_err()
        .hint()
        .map(str::to_string);
        assert!(hint.is_some_and(|h| h.contains("create: true")));
        assert_eq!(
            err,
            "replacements[0]: unable to find field \"spec.f\" in replacement target (target v1 ConfigMap src)"
        );
    }

    #[test]
    fn source_selection_errors_match_kustomize() {
        let cases = [
            (
                json!([{"source": {"name": "nope", "fieldPath": "data.v",
                                   "options": {"delimiter": "-", "create": true}},
                        "targets": [{"select": {"kind": "T"}}]}]),
                "nothing selected by [noKind].[noVer].[noGrp]/nope.[noNs]:data.v:-(0), create=true",
            ),
            (
                json!([{"source": {"version": "v1"}, "targets": [{"select": {"kind": "T"}}]}]),
                "multiple matches for selector [noKind].v1.[noGrp]/[noName].[noNs]",
            ),
            (
                json!([{"source": {"kind": "ConfigMap"}}]),
                "replacements must specify a source and at least one target",
            ),
            (
                json!([{"source": {"kind": "ConfigMap"},
                        "targets": [{"fieldPaths": ["metadata.name"]}]}]),
                "target must specify resources to select",
            ),
            (
                json!([{"source": {"kind": "ConfigMap", "fieldPath": "data.v", "bogus": 1},
                        "targets": [{"select": {"kind": "T"}}]}]),
                "unknown field \"bogus\"",
            ),
        ];
        for (replacements, message) in cases {
            let err = run(&mut selection_resources(), replacements).unwrap_err();
            assert!(err.contains(message), "{err}");
        }
    }

    #[test]
    fn default_field_paths_are_metadata_name() {
        let mut resources = selection_resources();
        let replacements = json!([{"source": {"kind": "Other"},
            "targets": [{"select": {"kind": "T", "version": "v2"}}]}]);
        run(&mut resources, replacements).unwrap();
        assert_eq!(resources.as_slice()[3].name(), "d");
    }

    #[test]
    fn sources_and_targets_match_previous_names() {
        // kubectl with `namePrefix: pre-`: a source named `b` and a target
        // named `src` are found by their names before the prefix.
        let mut resources = selection_resources();
        for r in resources.edit().iter_mut() {
            let name = format!("pre-{}", r.name());
            r.set_name(&name);
        }
        let replacements = json!([{"source": {"kind": "T", "name": "b", "fieldPath": "metadata.name"},
            "targets": [{"select": {"name": "src"}, "fieldPaths": ["data.v"]},
                        {"select": {"name": "pre-a"}, "fieldPaths": ["spec.f"]}]}]);
        run(&mut resources, replacements).unwrap();
        assert_eq!(
            resources.as_slice()[0].object()["data"]["v"],
            json!("pre-b")
        );
        assert_eq!(
            resources.as_slice()[1].object()["spec"]["f"],
            json!("pre-b")
        );
    }

    #[test]
    fn replacements_see_earlier_replacements() {
        // kubectl: the second source reads the image the first one wrote.
        let mut resources = resources(&[
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "src",
                   "annotations": {"a.b/c": "x-y-z"}}, "data": {"v": "NEW"}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "dep"},
                   "spec": {"template": {"spec": {"containers": [
                       {"name": "app", "image": "a"}, {"name": "myapp", "image": "b"}]}}}}),
        ]);
        let replacements = json!([
            {"source": {"kind": "ConfigMap", "fieldPath": "metadata.annotations.[a.b/c]",
                        "options": {"delimiter": "-", "index": 1}},
             "targets": [{"select": {"kind": "Deployment"},
                          "fieldPaths": ["spec.template.spec.containers.*.image"]}]},
            {"source": {"kind": "Deployment",
                        "fieldPath": "spec.template.spec.containers.[name=app].image"},
             "targets": [{"select": {"kind": "ConfigMap"}, "fieldPaths": ["data.v"]}]},
        ]);
        run(&mut resources, replacements).unwrap();
        assert_eq!(resources.as_slice()[0].object()["data"]["v"], json!("y"));
        let images: Vec<&Value> = fieldpath::get(
            resources.as_slice()[1].object(),
            &FieldPath::parse("spec.template.spec.containers.*.image"),
        );
        assert_eq!(images, vec![&json!("y"), &json!("y")]);
    }

    #[test]
    fn null_fields_read_as_unset() {
        // kubectl accepts `name: null`, `options: null`, `reject: null`, `fieldPaths: null`.
        let entry = json!({"source": {"kind": "ConfigMap", "name": null, "options": null},
            "targets": [{"select": {"kind": "T"}, "reject": null, "fieldPaths": null}]});
        let parsed = from_value(&entry, "r".into()).unwrap();
        assert_eq!(parsed.source.unwrap().id.name, "");
        assert_eq!(parsed.targets.unwrap()[0].reject, vec![]);
        let parsed = from_value(&json!({"source": null, "targets": null}), "r".into()).unwrap();
        assert_eq!((parsed.source, parsed.targets), (None, None));
    }

    #[test]
    fn field_names_match_case_insensitively() {
        // kubectl accepts `Source`, `KIND`, `fieldpath` and `FieldPaths`.
        let mut resources = selection_resources();
        let replacements = json!([{"Source": {"KIND": "ConfigMap", "fieldpath": "data.v"},
            "targets": [{"select": {"kind": "T", "name": "a"}, "FieldPaths": ["spec.f"]}]}]);
        run(&mut resources, replacements).unwrap();
        assert_eq!(replaced(&resources), vec!["a"]);
    }

    #[test]
    fn path_and_inline_together_are_an_error() {
        let replacements = json!([{"path": "r.yaml", "source": {"kind": "ConfigMap"}}]);
        let err = run(&mut selection_resources(), replacements).unwrap_err();
        assert!(
            err.contains("cannot specify both path and inline replacement"),
            "{err}"
        );
    }
}
