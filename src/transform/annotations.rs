//! `commonAnnotations:` (kustomize's AnnotationsTransformer): annotations
//! set wherever the `commonAnnotations` field specs say, metadata and pod
//! templates by default.

use crate::engine::fieldspec::FieldSpec;
use crate::error::Result;
use crate::load::kustomization::StringMap;
use crate::resource::ResourceMap;

/// Sets `annotations` wherever `specs` say, on every resource.
pub fn apply(
    resources: &mut ResourceMap,
    annotations: &StringMap,
    specs: &[FieldSpec],
) -> Result<()> {
    super::labels::set_everywhere(resources, annotations, specs, "annotations")
}
