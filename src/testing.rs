//! Helpers the library's unit tests share.

use serde_json::Value;

use crate::resource::{Origin, Resource, ResourceMap};

/// A resource map of `objects`, in order (each built in memory).
pub fn resources(objects: &[Value]) -> ResourceMap {
    let mut map = ResourceMap::new();
    for object in objects {
        let resource = Resource::new(object.clone(), Origin::Inline).expect("a resource");
        map.append(resource).expect("distinct ids");
    }
    map
}

/// The objects of `resources`, in order.
pub fn objects(resources: &ResourceMap) -> Vec<Value> {
    resources.iter().map(|r| r.object().clone()).collect()
}

/// The names of `resources`, in order.
pub fn names(resources: &ResourceMap) -> Vec<String> {
    resources.iter().map(|r| r.name().to_string()).collect()
}
