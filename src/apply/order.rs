//! The order of an apply: steps of objects that can be applied together.
//!
//! Stand-in until the dependency order of branch `applylogic` lands (same
//! signatures, see /work/coord/applylogic-interface.md): Namespaces and
//! CustomResourceDefinitions first, everything else after them.

use serde_json::Value;

use crate::error::Result;

/// Steps of the apply: each step's objects can be applied together once every earlier step is
/// applied and ready. Indices into `objects`; within a step they keep the input (build) order.
pub fn steps(objects: &[Value]) -> Result<Vec<Vec<usize>>> {
    let (first, rest): (Vec<usize>, Vec<usize>) =
        (0..objects.len()).partition(|&index| comes_first(&objects[index]));
    Ok([first, rest]
        .into_iter()
        .filter(|step| !step.is_empty())
        .collect())
}

/// Edges from objects to what they depend on, exposed for the plan's display/`--format json`.
pub fn dependencies(objects: &[Value]) -> Result<Vec<Vec<usize>>> {
    let first: Vec<usize> = (0..objects.len())
        .filter(|&index| comes_first(&objects[index]))
        .collect();
    Ok(objects
        .iter()
        .map(|object| {
            if comes_first(object) {
                Vec::new()
            } else {
                first.clone()
            }
        })
        .collect())
}

fn comes_first(object: &Value) -> bool {
    matches!(
        (object["apiVersion"].as_str(), object["kind"].as_str()),
        (Some("v1"), Some("Namespace"))
            | (
                Some("apiextensions.k8s.io/v1" | "apiextensions.k8s.io/v1beta1"),
                Some("CustomResourceDefinition")
            )
    )
}
