//! Where strategic-merge keys come from: the built-in Kubernetes schema.
//!
//! kustomize reads `x-kubernetes-patch-strategy`, `x-kubernetes-patch-merge-key`
//! and `x-kubernetes-list-map-keys` from the OpenAPI document it embeds
//! (Kubernetes 1.21.2). `k8s_merge.txt` holds those facts as data, pruned to
//! the types that lead to a merge list:
//!
//! ```text
//! type <definition>              a object type
//!   <field> ref <definition>     a field of that type
//!   <field> map <definition>     a map whose values have that type
//!   <field> list <strategy> <keys|-> <item definition|->
//! gvk <apiVersion> <kind> <definition>
//! ```
//!
//! A list with several keys merges on all of them (`containerPort,protocol`).
//! Kinds not in the table (custom resources) have no schema: their lists
//! are replaced and their maps merged.

use std::collections::HashMap;
use std::sync::OnceLock;

const TABLE: &str = include_str!("k8s_merge.txt");

/// A merge list: its strategy (`merge`, `merge,retainKeys`), keys and items.
#[derive(Debug)]
pub struct ListSchema {
    pub strategy: String,
    /// Empty for lists of scalars (`finalizers`).
    pub keys: Vec<String>,
    items: Option<usize>,
}

#[derive(Debug)]
enum Field {
    Object(usize),
    MapOf(usize),
    List(ListSchema),
}

#[derive(Debug, Default)]
struct TypeDef {
    fields: HashMap<String, Field>,
}

#[derive(Debug, Default)]
struct Table {
    types: Vec<TypeDef>,
    roots: HashMap<(String, String), usize>,
}

/// The schema at one point of a walk, as kyaml's `ResourceSchema`.
#[derive(Clone, Copy, Debug)]
pub enum Schema {
    /// No schema: a custom resource, or a field the schema does not know.
    Unknown,
    /// A known field that holds no merge list anywhere below.
    Opaque,
    Object(usize),
    MapOf(usize),
    List(&'static ListSchema),
}

fn table() -> &'static Table {
    static TABLE_CELL: OnceLock<Table> = OnceLock::new();
    TABLE_CELL.get_or_init(|| parse(TABLE))
}

fn parse(text: &str) -> Table {
    let mut names: HashMap<&str, usize> = HashMap::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("type ") {
            let next = names.len();
            names.insert(name.trim(), next);
        }
    }
    let mut table = Table {
        types: (0..names.len()).map(|_| TypeDef::default()).collect(),
        roots: HashMap::new(),
    };
    let lookup = |name: &str| names.get(name).copied();
    let mut current = None;
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["type", name] => current = lookup(name),
            ["gvk", api_version, kind, name] => {
                if let Some(index) = lookup(name) {
                    table
                        .roots
                        .insert((api_version.to_string(), kind.to_string()), index);
                }
            }
            [field, shape, rest @ ..] if line.starts_with("  ") => {
                let Some(owner) = current else { continue };
                let parsed = match (*shape, rest) {
                    ("ref", [name]) => lookup(name).map(Field::Object),
                    ("map", [name]) => lookup(name).map(Field::MapOf),
                    ("list", [strategy, keys, items]) => Some(Field::List(ListSchema {
                        strategy: strategy.to_string(),
                        keys: if *keys == "-" {
                            Vec::new()
                        } else {
                            keys.split(',').map(str::to_string).collect()
                        },
                        items: lookup(items),
                    })),
                    _ => None,
                };
                if let Some(parsed) = parsed {
                    table.types[owner].fields.insert(field.to_string(), parsed);
                }
            }
            _ => {}
        }
    }
    table
}

impl Schema {
    /// The schema of a built-in kind, matched on its exact apiVersion.
    pub fn for_type(api_version: &str, kind: &str) -> Schema {
        table()
            .roots
            .get(&(api_version.to_string(), kind.to_string()))
            .map_or(Schema::Unknown, |index| Schema::Object(*index))
    }

    pub fn is_unknown(self) -> bool {
        matches!(self, Schema::Unknown)
    }

    /// The schema of a field of this object (or value of this map).
    pub fn field(self, name: &str) -> Schema {
        match self {
            Schema::Unknown => Schema::Unknown,
            Schema::Opaque | Schema::List(_) => Schema::Opaque,
            Schema::MapOf(index) => Schema::Object(index),
            Schema::Object(index) => match table().types[index].fields.get(name) {
                None => Schema::Opaque,
                Some(Field::Object(inner)) => Schema::Object(*inner),
                Some(Field::MapOf(inner)) => Schema::MapOf(*inner),
                Some(Field::List(list)) => Schema::List(list),
            },
        }
    }

    /// The schema of the elements of a list.
    pub fn elements(self) -> Schema {
        match self {
            Schema::List(list) => list.items.map_or(Schema::Opaque, Schema::Object),
            Schema::Unknown => Schema::Unknown,
            _ => Schema::Opaque,
        }
    }

    /// The merge list facts, when this is a list whose strategy includes `merge`.
    pub fn merge_list(self) -> Option<&'static ListSchema> {
        match self {
            Schema::List(list) if list.strategy.split(',').any(|s| s == "merge") => Some(list),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(schema: Schema) -> Vec<String> {
        schema
            .merge_list()
            .map(|l| l.keys.clone())
            .unwrap_or_default()
    }

    #[test]
    fn pod_spec_lists_have_their_kubernetes_merge_keys() {
        let pod_spec = Schema::for_type("apps/v1", "Deployment")
            .field("spec")
            .field("template")
            .field("spec");
        let container = pod_spec.field("containers").elements();
        let cases: &[(Schema, &[&str])] = &[
            (pod_spec.field("containers"), &["name"]),
            (pod_spec.field("initContainers"), &["name"]),
            (pod_spec.field("ephemeralContainers"), &["name"]),
            (pod_spec.field("volumes"), &["name"]),
            (pod_spec.field("imagePullSecrets"), &["name"]),
            (pod_spec.field("hostAliases"), &["ip"]),
            (
                pod_spec.field("topologySpreadConstraints"),
                &["topologyKey", "whenUnsatisfiable"],
            ),
            (container.field("env"), &["name"]),
            (container.field("ports"), &["containerPort", "protocol"]),
            (container.field("volumeMounts"), &["mountPath"]),
            (container.field("volumeDevices"), &["devicePath"]),
        ];
        for (schema, expected) in cases {
            assert_eq!(keys(*schema), *expected);
        }
        assert!(pod_spec.field("tolerations").merge_list().is_none());
        assert!(container.field("args").merge_list().is_none());
    }

    #[test]
    fn other_kinds_and_metadata() {
        let service = Schema::for_type("v1", "Service");
        assert_eq!(
            keys(service.field("spec").field("ports")),
            ["port", "protocol"]
        );
        let meta = Schema::for_type("batch/v1beta1", "CronJob").field("metadata");
        assert_eq!(keys(meta.field("ownerReferences")), ["uid"]);
        assert!(meta.field("finalizers").merge_list().is_some());
        assert!(keys(meta.field("finalizers")).is_empty());
        let cron_pod = Schema::for_type("batch/v1", "CronJob")
            .field("spec")
            .field("jobTemplate")
            .field("spec")
            .field("template")
            .field("spec");
        assert_eq!(keys(cron_pod.field("containers")), ["name"]);
        assert!(Schema::for_type("example.com/v1", "Deployment").is_unknown());
    }
}
