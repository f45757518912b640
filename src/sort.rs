//! Output order: kustomize's legacy order, or the order of input (fifo).
//!
//! The legacy comparator is kustomize's `SortOrderTransformer`, copied as a
//! total order: kind rank first, then GVK strings, then namespace and name.

use std::cmp::Ordering;
use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::id::{Gvk, ResId};
use crate::load::kustomization::SortOptions;
use crate::resource::ResourceMap;

/// kustomize's default `orderFirst` kinds, most important first.
pub const DEFAULT_ORDER_FIRST: &[&str] = &[
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];

/// kustomize's default `orderLast` kinds.
pub const DEFAULT_ORDER_LAST: &[&str] = &[
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// Which order the output takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Order {
    /// Input order.
    Fifo,
    /// kustomize's legacy order with these first and last kinds.
    Legacy {
        first: Vec<String>,
        last: Vec<String>,
    },
}

impl Order {
    pub fn legacy_default() -> Self {
        Order::Legacy {
            first: DEFAULT_ORDER_FIRST
                .iter()
                .map(ToString::to_string)
                .collect(),
            last: DEFAULT_ORDER_LAST.iter().map(ToString::to_string).collect(),
        }
    }

    /// The order a kustomization's `sortOptions` ask for, checked as kustomize checks it.
    pub fn from_options(options: &SortOptions) -> Result<Self> {
        match (options.order.as_deref(), &options.legacy_sort_options) {
            (Some("fifo"), None) => Ok(Order::Fifo),
            (Some("fifo"), Some(_)) => Err(Error::msg(
                "the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'",
            )),
            (Some("legacy"), None) => Ok(Order::legacy_default()),
            (Some("legacy"), Some(legacy)) => Ok(Order::Legacy {
                first: legacy.order_first.clone(),
                last: legacy.order_last.clone(),
            }),
            _ => Err(Error::msg(
                "the field 'sortOptions.order' must be one of [fifo, legacy]",
            )),
        }
    }
}

/// Sorts the resources in place.
pub fn sort(resources: &mut ResourceMap, order: &Order) {
    let Order::Legacy { first, last } = order else {
        return;
    };
    let ranks = kind_ranks(first, last);
    // Compute each key once: sorting compares O(n log n) times.
    let mut keyed: Vec<(SortKey, usize)> = resources
        .iter()
        .enumerate()
        .map(|(i, r)| (SortKey::new(r.id(), &ranks), i))
        .collect();
    keyed.sort_by(|(a, _), (b, _)| a.cmp(b));
    let mut slots: Vec<Option<crate::resource::Resource>> = std::mem::take(&mut *resources.edit())
        .into_iter()
        .map(Some)
        .collect();
    let sorted: Vec<_> = keyed
        .into_iter()
        .filter_map(|(_, i)| slots[i].take())
        .collect();
    *resources.edit() = sorted;
}

fn kind_ranks(first: &[String], last: &[String]) -> HashMap<String, i64> {
    let mut ranks = HashMap::new();
    let first_len = i64::try_from(first.len()).unwrap_or(i64::MAX);
    for (i, kind) in (0_i64..).zip(first) {
        ranks.insert(kind.clone(), i - first_len);
    }
    for (i, kind) in (1_i64..).zip(last) {
        ranks.insert(kind.clone(), i);
    }
    ranks
}

struct SortKey {
    rank: i64,
    gvk: Gvk,
    gvk_string: String,
    id_string: String,
}

impl SortKey {
    fn new(id: ResId, ranks: &HashMap<String, i64>) -> Self {
        let rank = ranks.get(&id.gvk.kind).copied().unwrap_or(0);
        let gvk_string = legacy_gvk_string(&id.gvk);
        let id_string = legacy_id_string(&id);
        SortKey {
            rank,
            gvk: id.gvk,
            gvk_string,
            id_string,
        }
    }

    fn cmp(&self, other: &SortKey) -> Ordering {
        if self.gvk != other.gvk {
            if self.rank != other.rank {
                return self.rank.cmp(&other.rank);
            }
            let reversed = self.gvk.kind == "Namespace"
                && other.gvk.kind == "Namespace"
                && (self.gvk.group.is_empty() || other.gvk.group.is_empty());
            let ordering = self.gvk_string.cmp(&other.gvk_string);
            return if reversed {
                ordering.reverse()
            } else {
                ordering
            };
        }
        self.id_string.cmp(&other.id_string)
    }
}

fn or_placeholder<'a>(value: &'a str, placeholder: &'a str) -> &'a str {
    if value.is_empty() {
        placeholder
    } else {
        value
    }
}

/// `group_version_kind` with `~G`/`~V`/`~K` for empty parts.
fn legacy_gvk_string(gvk: &Gvk) -> String {
    format!(
        "{}_{}_{}",
        or_placeholder(&gvk.group, "~G"),
        or_placeholder(&gvk.version, "~V"),
        or_placeholder(&gvk.kind, "~K")
    )
}

/// `kind.version.group|namespace|name`, with kustomize's placeholders.
fn legacy_id_string(id: &ResId) -> String {
    format!(
        "{}|{}|{}",
        id.gvk.kustomize_string(),
        or_placeholder(&id.namespace, "~X"),
        or_placeholder(&id.name, "~N")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::{Origin, Resource};
    use serde_json::json;

    fn res(api_version: &str, kind: &str, namespace: &str, name: &str) -> Resource {
        let mut metadata = json!({"name": name});
        if !namespace.is_empty() {
            metadata["namespace"] = json!(namespace);
        }
        Resource::new(
            json!({"apiVersion": api_version, "kind": kind, "metadata": metadata}),
            Origin::Inline,
        )
        .unwrap()
    }

    fn names(map: &ResourceMap) -> Vec<String> {
        map.iter()
            .map(|r| format!("{}/{}", r.kind(), r.name()))
            .collect()
    }

    #[test]
    fn legacy_order_ranks_kinds_then_namespaces() {
        // Expected order measured with kubectl kustomize (see notes §3.1).
        let mut map: ResourceMap = [
            res("apps/v1", "Deployment", "", "b-dep"),
            res("apps/v1", "Deployment", "zz", "a-dep"),
            res(
                "admissionregistration.k8s.io/v1",
                "ValidatingWebhookConfiguration",
                "",
                "hook",
            ),
            res("example.com/v1", "Widget", "", "w"),
            res("apps/v1", "Deployment", "aa", "c-dep"),
            res("v1", "Service", "", "svc"),
            res("v1", "Namespace", "", "ns"),
        ]
        .into_iter()
        .collect();
        sort(&mut map, &Order::legacy_default());
        assert_eq!(
            names(&map),
            [
                "Namespace/ns",
                "Service/svc",
                "Deployment/c-dep",
                "Deployment/a-dep",
                "Deployment/b-dep",
                "Widget/w",
                "ValidatingWebhookConfiguration/hook"
            ]
        );
    }

    #[test]
    fn fifo_keeps_input_order() {
        let mut map: ResourceMap = [
            res("v1", "Service", "", "b"),
            res("v1", "Namespace", "", "a"),
        ]
        .into_iter()
        .collect();
        sort(&mut map, &Order::Fifo);
        assert_eq!(names(&map), ["Service/b", "Namespace/a"]);
    }

    #[test]
    fn sort_options_are_validated() {
        let options = SortOptions {
            order: Some("random".into()),
            legacy_sort_options: None,
        };
        assert!(Order::from_options(&options).is_err());
    }
}
