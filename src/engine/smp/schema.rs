//! Where strategic-merge keys come from: OpenAPI definitions, as kyaml's
//! `openapi.ResourceSchema` reads them.
//!
//! A [`SchemaDoc`] holds one document's definitions: the built-in
//! Kubernetes schema kustomize embeds (1.21.2, `k8s_schema.txt`, made by
//! `gen_k8s_schema.py`) or a custom one from a kustomization's `openapi:`
//! field ([`SchemaDoc::from_value`]). An [`OpenApi`] is the set a build
//! uses: up to two documents, the later one winning where both define a
//! name or a type (kyaml adds definitions to one global map in parse
//! order). A [`Schema`] is one point of a walk.
//!
//! kyaml's rules, followed here: a field's schema is its property or else
//! the map's `additionalProperties`, with `$ref`s resolved against the whole
//! set; a field neither names is unknown (the walk then looks for the
//! node's own apiVersion/kind); list elements have a schema only when the
//! list's `type` is `array`. A list merges when `x-kubernetes-patch-strategy`
//! includes `merge`, on `x-kubernetes-list-map-keys`, else
//! `x-kubernetes-patch-merge-key`, else (scalars) on the values.
//!
//! The built-in table's format, one line each:
//!
//! ```text
//! def <definition>
//!   <field> ref <definition>
//!   <field> map <definition|->                 additionalProperties
//!   <field> list <strategy|-> <keys|-> <items definition|->
//!   <field> leaf                               anything else
//! gvk <apiVersion> <kind> <definition>
//! ```

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

const TABLE: &str = include_str!("k8s_schema.txt");

/// How many `$ref`s in a row are followed before giving up (a cycle).
const MAX_REFS: usize = 32;

type NodeId = usize;

/// A sub-schema: inline, or a `$ref` resolved when it is reached.
#[derive(Clone, Debug)]
enum Link {
    Node(NodeId),
    Ref(String),
}

/// One schema object, with what strategic merge reads of it.
#[derive(Debug, Default)]
struct Node {
    properties: HashMap<String, Link>,
    additional: Option<Link>,
    /// `type` is exactly `array`.
    array: bool,
    items: Option<Link>,
    strategy: Option<String>,
    keys: Vec<String>,
}

/// The definitions of one OpenAPI document.
#[derive(Debug, Default)]
pub struct SchemaDoc {
    nodes: Vec<Node>,
    definitions: HashMap<String, Link>,
    roots: HashMap<(String, String), Link>,
}

/// The built-in Kubernetes schema.
pub fn builtin() -> &'static SchemaDoc {
    static DOC: OnceLock<SchemaDoc> = OnceLock::new();
    DOC.get_or_init(|| SchemaDoc::from_table(TABLE))
}

impl SchemaDoc {
    fn add(&mut self, node: Node) -> Link {
        self.nodes.push(node);
        Link::Node(self.nodes.len() - 1)
    }

    fn from_table(text: &str) -> SchemaDoc {
        let mut doc = SchemaDoc::default();
        let leaf = doc.add(Node::default());
        let reference = |name: &str| Link::Ref(format!("#/definitions/{name}"));
        let mut current: Option<NodeId> = None;
        for line in text.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["def", name] => {
                    let Link::Node(id) = doc.add(Node::default()) else {
                        continue;
                    };
                    doc.definitions.insert(name.to_string(), Link::Node(id));
                    current = Some(id);
                }
                ["gvk", api_version, kind, name] => {
                    if let Some(link) = doc.definitions.get(*name).cloned() {
                        doc.roots
                            .insert((api_version.to_string(), kind.to_string()), link);
                    }
                }
                [field, shape, rest @ ..] if line.starts_with("  ") => {
                    let Some(owner) = current else { continue };
                    let link = match (*shape, rest) {
                        ("ref", [name]) => reference(name),
                        ("map", [value]) => {
                            let additional = match *value {
                                "-" => leaf.clone(),
                                name => reference(name),
                            };
                            doc.add(Node {
                                additional: Some(additional),
                                ..Node::default()
                            })
                        }
                        ("list", [strategy, keys, items]) => doc.add(Node {
                            array: true,
                            items: (*items != "-").then(|| reference(items)),
                            strategy: (*strategy != "-").then(|| strategy.to_string()),
                            keys: match *keys {
                                "-" => Vec::new(),
                                keys => keys.split(',').map(str::to_string).collect(),
                            },
                            ..Node::default()
                        }),
                        _ => leaf.clone(),
                    };
                    doc.nodes[owner].properties.insert(field.to_string(), link);
                }
                _ => {}
            }
        }
        doc
    }

    /// Reads an OpenAPI (swagger 2) document: its `definitions`, each
    /// indexed by its `x-kubernetes-group-version-kind` entries.
    pub fn from_value(document: &Value) -> SchemaDoc {
        let mut doc = SchemaDoc::default();
        let Some(definitions) = document.get("definitions").and_then(Value::as_object) else {
            return doc;
        };
        for (name, definition) in definitions {
            let link = doc.add_schema(definition);
            for (api_version, kind) in gvks(definition) {
                doc.roots.insert((api_version, kind), link.clone());
            }
            doc.definitions.insert(name.clone(), link);
        }
        doc
    }

    fn add_schema(&mut self, value: &Value) -> Link {
        if let Some(reference) = value.get("$ref").and_then(Value::as_str) {
            return Link::Ref(reference.to_string());
        }
        let mut node = Node::default();
        if let Some(properties) = value.get("properties").and_then(Value::as_object) {
            for (name, property) in properties {
                let link = self.add_schema(property);
                node.properties.insert(name.clone(), link);
            }
        }
        // `additionalProperties: true` has no schema.
        if let Some(additional) = value.get("additionalProperties").filter(|v| v.is_object()) {
            node.additional = Some(self.add_schema(additional));
        }
        node.array = match value.get("type") {
            Some(Value::String(t)) => t == "array",
            Some(Value::Array(types)) => types.len() == 1 && types[0] == "array",
            _ => false,
        };
        if let Some(items) = value.get("items").filter(|v| v.is_object()) {
            node.items = Some(self.add_schema(items));
        }
        let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_string);
        node.strategy = text("x-kubernetes-patch-strategy");
        node.keys = match value
            .get("x-kubernetes-list-map-keys")
            .and_then(Value::as_array)
        {
            Some(keys) => keys
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            None => text("x-kubernetes-patch-merge-key").into_iter().collect(),
        };
        self.add(node)
    }
}

/// A definition's `x-kubernetes-group-version-kind` as (apiVersion, kind) pairs.
fn gvks(definition: &Value) -> Vec<(String, String)> {
    let Some(entries) = definition
        .get("x-kubernetes-group-version-kind")
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|entry| {
            let text = |key: &str| entry.get(key).and_then(Value::as_str);
            let (version, kind) = (text("version")?, text("kind")?);
            let api_version = match text("group") {
                Some(group) if !group.is_empty() => format!("{group}/{version}"),
                _ => version.to_string(),
            };
            Some((api_version, kind.to_string()))
        })
        .collect()
}

/// The definitions one build's strategic merges see, oldest first.
#[derive(Clone, Copy, Debug)]
pub struct OpenApi<'a> {
    docs: [Option<DocRef<'a>>; 2],
}

/// A document of an [`OpenApi`]. The built-in one is parsed when a walk
/// first reads it, not when a build merely might (most builds never do).
#[derive(Clone, Copy, Debug)]
enum DocRef<'a> {
    Builtin,
    Doc(&'a SchemaDoc),
}

impl<'a> DocRef<'a> {
    fn get(self) -> &'a SchemaDoc {
        match self {
            DocRef::Builtin => builtin(),
            DocRef::Doc(doc) => doc,
        }
    }
}

impl Default for OpenApi<'static> {
    fn default() -> Self {
        OpenApi::builtin()
    }
}

impl<'a> OpenApi<'a> {
    /// kustomize's default: the built-in Kubernetes schema alone.
    pub fn builtin() -> OpenApi<'static> {
        OpenApi {
            docs: [Some(DocRef::Builtin), None],
        }
    }

    /// Documents in the order kyaml parsed them; a later one wins.
    pub fn layered(first: &'a SchemaDoc, second: Option<&'a SchemaDoc>) -> OpenApi<'a> {
        OpenApi {
            docs: [Some(DocRef::Doc(first)), second.map(DocRef::Doc)],
        }
    }

    /// Newest first.
    fn newest_first(&self) -> impl Iterator<Item = &'a SchemaDoc> {
        let docs = self.docs;
        docs.into_iter().rev().flatten().map(DocRef::get)
    }

    /// The schema of a resource type, matched on its exact apiVersion.
    pub fn for_type(self, api_version: &str, kind: &str) -> Schema<'a> {
        let key = (api_version.to_string(), kind.to_string());
        self.newest_first()
            .find_map(|doc| doc.roots.get(&key).map(|link| (doc, link)))
            .map_or(Schema::unknown(self), |(doc, link)| self.resolve(doc, link))
    }

    /// Follows a link to its node; a `$ref` is resolved against every document.
    fn resolve(self, doc: &'a SchemaDoc, link: &'a Link) -> Schema<'a> {
        let (mut doc, mut link) = (doc, link);
        for _ in 0..MAX_REFS {
            match link {
                Link::Node(id) => {
                    return Schema {
                        api: self,
                        at: Some((doc, *id)),
                    }
                }
                Link::Ref(reference) => match self.lookup(reference) {
                    Some((next_doc, next)) => (doc, link) = (next_doc, next),
                    None => break,
                },
            }
        }
        Schema::unknown(self)
    }

    /// A JSON pointer `#/definitions/<name>` (then `properties/<field>`,
    /// `items` or `additionalProperties` steps), as go-openapi resolves it.
    fn lookup(self, reference: &str) -> Option<(&'a SchemaDoc, &'a Link)> {
        let mut tokens = reference
            .strip_prefix("#/definitions/")?
            .split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"));
        let name = tokens.next()?;
        let (doc, mut link) = self
            .newest_first()
            .find_map(|doc| doc.definitions.get(&name).map(|link| (doc, link)))?;
        let rest: Vec<String> = tokens.collect();
        let mut steps = rest.iter();
        while let Some(step) = steps.next() {
            let Link::Node(id) = link else { return None };
            let node = &doc.nodes[*id];
            link = match step.as_str() {
                "properties" => node.properties.get(steps.next()?)?,
                "items" => node.items.as_ref()?,
                "additionalProperties" => node.additional.as_ref()?,
                _ => return None,
            };
        }
        Some((doc, link))
    }
}

/// The schema at one point of a walk, as kyaml's `ResourceSchema`.
#[derive(Clone, Copy, Debug)]
pub struct Schema<'a> {
    api: OpenApi<'a>,
    /// `None`: no schema (a custom resource, or a field the schema lacks).
    at: Option<(&'a SchemaDoc, NodeId)>,
}

/// A list the schema marks `merge`: its strategy and keys.
#[derive(Debug)]
pub struct ListSchema<'a> {
    pub strategy: &'a str,
    /// Empty for lists of scalars (`finalizers`).
    pub keys: &'a [String],
}

impl<'a> Schema<'a> {
    pub fn unknown(api: OpenApi<'a>) -> Schema<'a> {
        Schema { api, at: None }
    }

    pub fn api(self) -> OpenApi<'a> {
        self.api
    }

    pub fn is_unknown(self) -> bool {
        self.at.is_none()
    }

    fn node(self) -> Option<(&'a SchemaDoc, &'a Node)> {
        self.at.map(|(doc, id)| (doc, &doc.nodes[id]))
    }

    /// The schema of a field of this object (or a value of this map).
    pub fn field(self, name: &str) -> Schema<'a> {
        let Some((doc, node)) = self.node() else {
            return self;
        };
        match node.properties.get(name).or(node.additional.as_ref()) {
            Some(link) => self.api.resolve(doc, link),
            None => Schema::unknown(self.api),
        }
    }

    /// The schema of the elements of a list (only a list typed `array`).
    pub fn elements(self) -> Schema<'a> {
        match self.node() {
            Some((doc, node)) if node.array => match &node.items {
                Some(link) => self.api.resolve(doc, link),
                None => Schema::unknown(self.api),
            },
            _ => Schema::unknown(self.api),
        }
    }

    /// The merge list facts, when this is a list whose strategy includes `merge`.
    pub fn merge_list(self) -> Option<ListSchema<'a>> {
        let (_, node) = self.node()?;
        let strategy = node.strategy.as_deref()?;
        strategy
            .split(',')
            .any(|s| s == "merge")
            .then_some(ListSchema {
                strategy,
                keys: &node.keys,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn keys(schema: Schema) -> Vec<String> {
        schema
            .merge_list()
            .map(|l| l.keys.to_vec())
            .unwrap_or_default()
    }

    #[test]
    fn pod_spec_lists_have_their_kubernetes_merge_keys() {
        let api = OpenApi::builtin();
        let pod_spec = api
            .for_type("apps/v1", "Deployment")
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
        let api = OpenApi::builtin();
        let service = api.for_type("v1", "Service");
        assert_eq!(
            keys(service.field("spec").field("ports")),
            ["port", "protocol"]
        );
        let meta = api.for_type("batch/v1beta1", "CronJob").field("metadata");
        assert_eq!(keys(meta.field("ownerReferences")), ["uid"]);
        assert!(meta.field("finalizers").merge_list().is_some());
        assert!(keys(meta.field("finalizers")).is_empty());
        let cron_pod = api
            .for_type("batch/v1", "CronJob")
            .field("spec")
            .field("jobTemplate")
            .field("spec")
            .field("template")
            .field("spec");
        assert_eq!(keys(cron_pod.field("containers")), ["name"]);
        assert!(api.for_type("example.com/v1", "Deployment").is_unknown());
    }

    #[test]
    fn known_and_unknown_fields() {
        let api = OpenApi::builtin();
        let spec = api.for_type("apps/v1", "Deployment").field("spec");
        // kyaml: a field the schema lacks has no schema; a known one does,
        // even with nothing to merge below it.
        assert!(spec.field("extra").is_unknown());
        assert!(!spec.field("selector").is_unknown());
        assert!(spec.field("selector").field("extra").is_unknown());
        assert!(!spec.field("template").field("spec").is_unknown());
    }

    #[test]
    fn custom_definitions_resolve_refs_and_win_when_newer() {
        let custom = SchemaDoc::from_value(&json!({"definitions": {
            "v1alpha1.MyCRD": {
                "properties": {"spec": {"properties": {"template": {
                    "$ref": "#/definitions/io.k8s.api.core.v1.PodTemplateSpec"}}}},
                "x-kubernetes-group-version-kind": [
                    {"group": "example.com", "kind": "MyCRD", "version": "v1alpha1"}]},
            "io.k8s.api.core.v1.PodSpec": {"properties": {"containers": {
                "type": "array", "items": {"type": "object"},
                "x-kubernetes-patch-merge-key": "image",
                "x-kubernetes-patch-strategy": "merge"}}}
        }}));
        let containers = |api: OpenApi, av: &str, kind: &str| {
            keys(
                api.for_type(av, kind)
                    .field("spec")
                    .field("template")
                    .field("spec")
                    .field("containers"),
            )
        };
        // Custom alone: PodTemplateSpec is missing, built-in kinds unknown.
        let alone = OpenApi::layered(&custom, None);
        assert!(containers(alone, "example.com/v1alpha1", "MyCRD").is_empty());
        assert!(alone.for_type("apps/v1", "Deployment").is_unknown());
        let custom_wins = OpenApi::layered(builtin(), Some(&custom));
        assert_eq!(containers(custom_wins, "apps/v1", "Deployment"), ["image"]);
        assert_eq!(
            containers(custom_wins, "example.com/v1alpha1", "MyCRD"),
            ["image"]
        );
        let builtin_wins = OpenApi::layered(&custom, Some(builtin()));
        assert_eq!(
            containers(builtin_wins, "example.com/v1alpha1", "MyCRD"),
            ["name"]
        );
    }
}
