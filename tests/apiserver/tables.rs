//! `meta.k8s.io/v1` Tables, what `kubectl get` prints: the columns of the
//! API server's printers for the common kinds (pods, workloads, services,
//! config, events, ...), a CRD's `additionalPrinterColumns` (simple
//! `.a.b` paths) or Name and Age for custom resources, and Name and
//! Created At for other built-in kinds.

use serde_json::{json, Value};

use super::catalog::Resource;
use super::clock::age_of;
use super::server::Call;
use super::state::State;

/// A column: name, type, priority (1 = `-o wide`) and how to fill it.
struct Column {
    name: &'static str,
    kind: &'static str,
    priority: u8,
    cell: fn(&Value) -> Value,
}

const fn col(name: &'static str, cell: fn(&Value) -> Value) -> Column {
    Column {
        name,
        kind: "string",
        priority: 0,
        cell,
    }
}

const fn int(name: &'static str, cell: fn(&Value) -> Value) -> Column {
    Column {
        name,
        kind: "integer",
        priority: 0,
        cell,
    }
}

const fn wide(name: &'static str, cell: fn(&Value) -> Value) -> Column {
    Column {
        name,
        kind: "string",
        priority: 1,
        cell,
    }
}

fn name(o: &Value) -> Value {
    o["metadata"]["name"].clone()
}

fn age(o: &Value) -> Value {
    json!(age_of(&o["metadata"]["creationTimestamp"]))
}

fn number(value: &Value) -> i64 {
    value.as_i64().unwrap_or(0)
}

fn containers(o: &Value) -> Value {
    join(&o["spec"]["template"]["spec"]["containers"], "name")
}

fn images(o: &Value) -> Value {
    join(&o["spec"]["template"]["spec"]["containers"], "image")
}

fn join(list: &Value, field: &str) -> Value {
    let parts: Vec<&str> = list
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item[field].as_str())
        .collect();
    json!(parts.join(","))
}

fn selector(o: &Value) -> Value {
    let selector = &o["spec"]["selector"];
    let mut parts: Vec<String> = selector["matchLabels"]
        .as_object()
        .or(selector.as_object().filter(|_| {
            selector.get("matchLabels").is_none() && selector.get("matchExpressions").is_none()
        }))
        .map(|labels| {
            labels
                .iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    parts.sort();
    if parts.is_empty() {
        return json!("<none>");
    }
    json!(parts.join(","))
}

fn data_count(o: &Value) -> Value {
    let count = |field: &str| o[field].as_object().map_or(0, |map| map.len());
    json!(count("data") + count("binaryData"))
}

fn columns(resource: &Resource) -> Option<Vec<Column>> {
    Some(match (resource.group.as_str(), resource.kind.as_str()) {
        ("", "Pod") => vec![
            col("Name", name),
            col("Ready", |o| {
                let statuses = o["status"]["containerStatuses"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let total = o["spec"]["containers"].as_array().map_or(0, Vec::len);
                let ready = statuses.iter().filter(|s| s["ready"] == true).count();
                json!(format!("{ready}/{total}"))
            }),
            col("Status", |o| {
                if o["metadata"].get("deletionTimestamp").is_some() {
                    return json!("Terminating");
                }
                let waiting = o["status"]["containerStatuses"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find_map(|s| s["state"]["waiting"]["reason"].as_str());
                let terminated = o["status"]["containerStatuses"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find_map(|s| s["state"]["terminated"]["reason"].as_str());
                json!(waiting
                    .or(terminated)
                    .or(o["status"]["phase"].as_str())
                    .unwrap_or("Pending"))
            }),
            int("Restarts", |o| {
                json!(o["status"]["containerStatuses"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|s| number(&s["restartCount"]))
                    .sum::<i64>())
            }),
            col("Age", age),
            wide("IP", |o| {
                json!(o["status"]["podIP"].as_str().unwrap_or("<none>"))
            }),
            wide("Node", |o| {
                json!(o["spec"]["nodeName"].as_str().unwrap_or("<none>"))
            }),
            wide("Nominated Node", |_| json!("<none>")),
            wide("Readiness Gates", |_| json!("<none>")),
        ],
        ("apps", "Deployment") => vec![
            col("Name", name),
            col("Ready", |o| {
                json!(format!(
                    "{}/{}",
                    number(&o["status"]["readyReplicas"]),
                    number(&o["spec"]["replicas"])
                ))
            }),
            int("Up-to-date", |o| {
                json!(number(&o["status"]["updatedReplicas"]))
            }),
            int("Available", |o| {
                json!(number(&o["status"]["availableReplicas"]))
            }),
            col("Age", age),
            wide("Containers", containers),
            wide("Images", images),
            wide("Selector", selector),
        ],
        ("apps", "ReplicaSet") | ("", "ReplicationController") => vec![
            col("Name", name),
            int("Desired", |o| json!(number(&o["spec"]["replicas"]))),
            int("Current", |o| json!(number(&o["status"]["replicas"]))),
            int("Ready", |o| json!(number(&o["status"]["readyReplicas"]))),
            col("Age", age),
            wide("Containers", containers),
            wide("Images", images),
            wide("Selector", selector),
        ],
        ("apps", "StatefulSet") => vec![
            col("Name", name),
            col("Ready", |o| {
                json!(format!(
                    "{}/{}",
                    number(&o["status"]["readyReplicas"]),
                    number(&o["spec"]["replicas"])
                ))
            }),
            col("Age", age),
            wide("Containers", containers),
            wide("Images", images),
        ],
        ("apps", "DaemonSet") => vec![
            col("Name", name),
            int("Desired", |o| {
                json!(number(&o["status"]["desiredNumberScheduled"]))
            }),
            int("Current", |o| {
                json!(number(&o["status"]["currentNumberScheduled"]))
            }),
            int("Ready", |o| json!(number(&o["status"]["numberReady"]))),
            int("Up-to-date", |o| {
                json!(number(&o["status"]["updatedNumberScheduled"]))
            }),
            int("Available", |o| {
                json!(number(&o["status"]["numberAvailable"]))
            }),
            col("Node Selector", |o| {
                let selector = o["spec"]["template"]["spec"]["nodeSelector"]
                    .as_object()
                    .map(|labels| {
                        let mut parts: Vec<String> = labels
                            .iter()
                            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                            .collect();
                        parts.sort();
                        parts.join(",")
                    });
                json!(selector
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| "<none>".into()))
            }),
            col("Age", age),
            wide("Containers", containers),
            wide("Images", images),
            wide("Selector", selector),
        ],
        ("batch", "Job") => vec![
            col("Name", name),
            col("Status", |o| {
                let condition = |kind: &str| {
                    o["status"]["conditions"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|c| c["type"] == kind && c["status"] == "True")
                };
                let status = if condition("Complete") {
                    "Complete"
                } else if condition("Failed") {
                    "Failed"
                } else if condition("FailureTarget") {
                    "FailureTarget"
                } else if o["spec"]["suspend"] == true {
                    "Suspended"
                } else {
                    "Running"
                };
                json!(status)
            }),
            col("Completions", |o| {
                json!(format!(
                    "{}/{}",
                    number(&o["status"]["succeeded"]),
                    number(&o["spec"]["completions"])
                ))
            }),
            col("Duration", |o| {
                let start = o["status"]["startTime"]
                    .as_str()
                    .and_then(super::clock::parse_timestamp);
                let end = o["status"]["completionTime"]
                    .as_str()
                    .and_then(super::clock::parse_timestamp)
                    .unwrap_or_else(super::clock::now_seconds);
                json!(start
                    .map(|start| super::clock::age(end.saturating_sub(start)))
                    .unwrap_or_default())
            }),
            col("Age", age),
            wide("Containers", containers),
            wide("Images", images),
            wide("Selector", selector),
        ],
        ("", "Service") => vec![
            col("Name", name),
            col("Type", |o| o["spec"]["type"].clone()),
            col("Cluster-IP", |o| o["spec"]["clusterIP"].clone()),
            col("External-IP", |o| {
                let ingress = join(&o["status"]["loadBalancer"]["ingress"], "ip");
                let text = ingress.as_str().unwrap_or_default();
                let pending = o["spec"]["type"] == "LoadBalancer";
                json!(if !text.is_empty() {
                    text
                } else if pending {
                    "<pending>"
                } else {
                    "<none>"
                })
            }),
            col("Port(s)", |o| {
                let ports: Vec<String> = o["spec"]["ports"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| {
                        let protocol = p["protocol"].as_str().unwrap_or("TCP");
                        match p["nodePort"].as_i64() {
                            Some(node) => format!("{}:{node}/{protocol}", number(&p["port"])),
                            None => format!("{}/{protocol}", number(&p["port"])),
                        }
                    })
                    .collect();
                json!(if ports.is_empty() {
                    "<none>".into()
                } else {
                    ports.join(",")
                })
            }),
            col("Age", age),
            wide("Selector", |o| {
                let labels = o["spec"]["selector"].as_object().map(|labels| {
                    let mut parts: Vec<String> = labels
                        .iter()
                        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                        .collect();
                    parts.sort();
                    parts.join(",")
                });
                json!(labels
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| "<none>".into()))
            }),
        ],
        ("", "ConfigMap") => vec![col("Name", name), int("Data", data_count), col("Age", age)],
        ("", "Secret") => vec![
            col("Name", name),
            col("Type", |o| o["type"].clone()),
            int("Data", data_count),
            col("Age", age),
        ],
        ("", "Namespace") => vec![
            col("Name", name),
            col("Status", |o| o["status"]["phase"].clone()),
            col("Age", age),
        ],
        ("", "ServiceAccount") => vec![
            col("Name", name),
            int("Secrets", |o| {
                json!(o["secrets"].as_array().map_or(0, Vec::len))
            }),
            col("Age", age),
        ],
        ("", "PersistentVolumeClaim") => vec![
            col("Name", name),
            col("Status", |o| o["status"]["phase"].clone()),
            col("Volume", |o| o["spec"]["volumeName"].clone()),
            col("Capacity", |o| {
                json!(o["status"]["capacity"]["storage"]
                    .as_str()
                    .unwrap_or_default())
            }),
            col("Access Modes", |o| {
                let modes: Vec<&str> = o["status"]["accessModes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(|m| match m {
                        "ReadWriteOnce" => "RWO",
                        "ReadOnlyMany" => "ROX",
                        "ReadWriteMany" => "RWX",
                        "ReadWriteOncePod" => "RWOP",
                        other => other,
                    })
                    .collect();
                json!(modes.join(","))
            }),
            col("StorageClass", |o| {
                json!(o["spec"]["storageClassName"].as_str().unwrap_or("<unset>"))
            }),
            col("VolumeAttributesClass", |o| {
                json!(o["spec"]["volumeAttributesClassName"]
                    .as_str()
                    .unwrap_or("<unset>"))
            }),
            col("Age", age),
            wide("VolumeMode", |o| o["spec"]["volumeMode"].clone()),
        ],
        ("", "Node") => vec![
            col("Name", name),
            col("Status", |o| {
                let ready = o["status"]["conditions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|c| c["type"] == "Ready" && c["status"] == "True");
                json!(if ready { "Ready" } else { "NotReady" })
            }),
            col("Roles", |_| json!("control-plane")),
            col("Age", age),
            col("Version", |o| {
                o["status"]["nodeInfo"]["kubeletVersion"].clone()
            }),
        ],
        ("", "Event") => vec![
            col("Last Seen", |o| json!(age_of(&o["lastTimestamp"]))),
            col("Type", |o| o["type"].clone()),
            col("Reason", |o| o["reason"].clone()),
            col("Object", |o| {
                let involved = &o["involvedObject"];
                json!(format!(
                    "{}/{}",
                    involved["kind"].as_str().unwrap_or_default().to_lowercase(),
                    involved["name"].as_str().unwrap_or_default()
                ))
            }),
            col("Message", |o| o["message"].clone()),
            wide("Subobject", |o| o["involvedObject"]["fieldPath"].clone()),
            wide("Source", |o| o["source"]["component"].clone()),
            wide("First Seen", |o| json!(age_of(&o["firstTimestamp"]))),
            Column {
                name: "Count",
                kind: "integer",
                priority: 1,
                cell: |o| o["count"].clone(),
            },
            wide("Name", name),
        ],
        ("networking.k8s.io", "Ingress") => vec![
            col("Name", name),
            col("Class", |o| {
                json!(o["spec"]["ingressClassName"].as_str().unwrap_or("<none>"))
            }),
            col("Hosts", |o| {
                let hosts = join(&o["spec"]["rules"], "host");
                json!(if hosts == "" {
                    "*".into()
                } else {
                    hosts.as_str().unwrap_or_default().to_string()
                })
            }),
            col("Address", |o| {
                join(&o["status"]["loadBalancer"]["ingress"], "ip")
            }),
            col("Ports", |o| {
                json!(if o["spec"]["tls"].is_array() {
                    "80, 443"
                } else {
                    "80"
                })
            }),
            col("Age", age),
        ],
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => vec![
            col("Name", name),
            col("Role", |o| {
                json!(format!(
                    "{}/{}",
                    o["roleRef"]["kind"].as_str().unwrap_or_default(),
                    o["roleRef"]["name"].as_str().unwrap_or_default()
                ))
            }),
            col("Age", age),
        ],
        _ if resource.custom => return None,
        _ => vec![
            col("Name", name),
            Column {
                name: "Created At",
                kind: "date",
                priority: 0,
                cell: |o| o["metadata"]["creationTimestamp"].clone(),
            },
        ],
    })
}

/// A Table of `objects` of `resource`.
pub fn table(state: &State, resource: &Resource, objects: Vec<Value>, call: &Call) -> Value {
    let include_object = call
        .query
        .get("includeObject")
        .map(String::as_str)
        .unwrap_or("Metadata");
    let (definitions, cells): (Vec<Value>, Vec<Vec<Value>>) = match columns(resource) {
        Some(columns) => (
            columns
                .iter()
                .map(|c| json!({"name": c.name, "type": c.kind, "format": if c.name == "Name" { "name" } else { "" }, "description": "", "priority": c.priority}))
                .collect(),
            objects.iter().map(|o| columns.iter().map(|c| (c.cell)(o)).collect()).collect(),
        ),
        None => custom_columns(state, resource, &objects),
    };
    let rows: Vec<Value> = objects
        .iter()
        .zip(cells)
        .map(|(object, cells)| {
            let embedded = match include_object {
                "None" => Value::Null,
                "Object" => object.clone(),
                _ => json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": object["metadata"]}),
            };
            json!({"cells": cells, "object": embedded})
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": state.store.resource_version.to_string()},
        "columnDefinitions": definitions,
        "rows": rows,
    })
}

/// Name, the CRD version's `additionalPrinterColumns`, and Age when none names it.
fn custom_columns(
    state: &State,
    resource: &Resource,
    objects: &[Value],
) -> (Vec<Value>, Vec<Vec<Value>>) {
    let crd_name = format!("{}.{}", resource.plural, resource.group);
    let printer: Vec<Value> = state
        .store
        .get(&super::store::Key::new(
            "apiextensions.k8s.io",
            "customresourcedefinitions",
            "",
            &crd_name,
        ))
        .and_then(|crd| {
            crd["spec"]["versions"]
                .as_array()?
                .iter()
                .find(|v| v["name"] == resource.version.as_str())
                .and_then(|v| v["additionalPrinterColumns"].as_array().cloned())
        })
        .unwrap_or_default();
    let mut definitions = vec![
        json!({"name": "Name", "type": "string", "format": "name", "description": "", "priority": 0}),
    ];
    let has_age = printer
        .iter()
        .any(|c| c["jsonPath"] == ".metadata.creationTimestamp");
    for column in &printer {
        definitions.push(json!({"name": column["name"], "type": column["type"], "format": column["format"].as_str().unwrap_or_default(),
                                "description": column["description"].as_str().unwrap_or_default(), "priority": column["priority"].as_i64().unwrap_or(0)}));
    }
    if !has_age {
        definitions.push(
            json!({"name": "Age", "type": "date", "format": "", "description": "", "priority": 0}),
        );
    }
    let cells = objects
        .iter()
        .map(|object| {
            let mut row = vec![object["metadata"]["name"].clone()];
            for column in &printer {
                let path = column["jsonPath"].as_str().unwrap_or_default();
                let mut value = object;
                for part in path
                    .trim_start_matches('.')
                    .split('.')
                    .filter(|p| !p.is_empty())
                {
                    value = &value[part];
                }
                row.push(if column["type"] == "date" {
                    json!(age_of(value))
                } else {
                    value.clone()
                });
            }
            if !has_age {
                row.push(json!(age_of(&object["metadata"]["creationTimestamp"])));
            }
            row
        })
        .collect();
    (definitions, cells)
}
