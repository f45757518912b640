//! `edit set image`: kustomize's argument forms and its `*` (keep the value
//! the file has).

use serde_json::Value;
use yaml_edit::Mapping;

use super::doc::{self, Doc};
use crate::error::{Error, Result};

/// `*` as a new name, tag or digest keeps what the file has.
const KEEP: &str = "*";

pub const INVALID_FORMAT: &str = "invalid format of image, use one of the following options:
- <image>=<newimage>:<newtag>
- <image>=<newimage>@<digest>
- <image>=<newimage>:<newtag>@<digest>
- <image>=<newimage>
- <image>:<newtag>
- <image>:<newtag>@<digest>
- <image>@<digest>";

/// One `set image` argument, parsed. Empty strings are unset fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageArg {
    pub name: String,
    pub new_name: String,
    pub new_tag: String,
    pub digest: String,
}

/// Parses the arguments of `set image`; a later argument for the same image
/// wins, as in kustomize.
pub fn parse_args(args: &[String]) -> Result<Vec<ImageArg>> {
    if args.is_empty() {
        return Err(Error::msg("no image specified"));
    }
    let mut images: Vec<ImageArg> = Vec::new();
    for arg in args {
        let image = parse(arg)?;
        match images.iter_mut().find(|i| i.name == image.name) {
            Some(slot) => *slot = image,
            None => images.push(image),
        }
    }
    Ok(images)
}

/// `[name=]new[:tag][@digest]`, split as kustomize splits image references
/// (a `:` before the first `/` is a registry port, not a tag).
pub fn parse(arg: &str) -> Result<ImageArg> {
    let (key, value) = match arg.split_once('=') {
        Some((k, v)) => (Some(k), v),
        None => (None, arg),
    };
    let (name, tag, digest) = split_image(value);
    if name == arg {
        return Err(Error::msg(INVALID_FORMAT));
    }
    let mut image = ImageArg {
        new_tag: tag.to_string(),
        digest: digest.to_string(),
        ..ImageArg::default()
    };
    match key {
        Some(key) => {
            image.name = key.to_string();
            image.new_name = name.to_string();
        }
        None => image.name = name.to_string(),
    }
    Ok(image)
}

/// kustomize's `image.Split`: name, tag and digest of an image reference.
pub fn split_image(image: &str) -> (&str, &str, &str) {
    // Look for `:` and `@` only after the first `/` (the domain may have a port).
    let offset = match image.find('/') {
        Some(i) if i > 0 => i,
        _ => 0,
    };
    let search = &image[offset..];
    let at = search.find('@').map(|i| i + offset);
    let colon = search.find(':').map(|i| i + offset);
    match (colon, at) {
        (None, None) => (image, "", ""),
        (c, Some(at)) if c.is_none_or(|c| at < c) => (&image[..at], "", &image[at + 1..]),
        (Some(c), Some(at)) => (&image[..c], &image[c + 1..at], &image[at + 1..]),
        (Some(c), None) => (&image[..c], &image[c + 1..], ""),
        (None, Some(_)) => unreachable!("covered by the digest-only arm"),
    }
}

/// The image fields as kustomize writes them, in its (sorted) key order.
const FIELDS: [&str; 3] = ["newName", "newTag", "digest"];

/// Applies parsed images: an image the file has is updated where it stands
/// (in `images`, or deprecated `imageTags`), keeping its comments; a new
/// one is added to `images` where it sorts by name if the list is sorted
/// (kustomize sorts the list), else at the end.
pub fn apply(doc: &Doc, images: &[ImageArg]) -> Result<()> {
    for image in images {
        if update_existing(doc, image)? {
            continue;
        }
        let resolved = ImageArg {
            name: image.name.clone(),
            new_name: clear_keep(&image.new_name),
            new_tag: clear_keep(&image.new_tag),
            digest: clear_keep(&image.digest),
        };
        insert_new(doc, &resolved)?;
    }
    Ok(())
}

fn clear_keep(value: &str) -> String {
    if value == KEEP {
        String::new()
    } else {
        value.to_string()
    }
}

/// Updates the entry named `image.name` in `images` or `imageTags`.
fn update_existing(doc: &Doc, image: &ImageArg) -> Result<bool> {
    for field in ["images", "imageTags"] {
        let values = doc.field(field)?;
        let Some(Value::Array(entries)) = values else {
            continue;
        };
        let Some(index) = entries
            .iter()
            .position(|e| e.get("name").and_then(Value::as_str) == Some(image.name.as_str()))
        else {
            continue;
        };
        let current = &entries[index];
        let seq = doc
            .seq(field)
            .ok_or_else(|| Error::field(doc.path(), field, "expected a list of images"))?;
        let entry = doc::item_map(&seq, index).ok_or_else(|| {
            Error::field(doc.path(), field, "expected each image to be a mapping")
        })?;
        let wanted = [&image.new_name, &image.new_tag, &image.digest];
        for (key, want) in FIELDS.iter().zip(wanted) {
            let value = if want == KEEP {
                current
                    .get(*key)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            } else {
                want.clone()
            };
            set_or_remove(&entry, key, &value);
        }
        // kustomize rewrites the entry from name, newName, newTag and digest.
        entry.remove("tagSuffix");
        return Ok(true);
    }
    Ok(false)
}

fn set_or_remove(entry: &Mapping, key: &str, value: &str) {
    if value.is_empty() {
        entry.remove(key);
    } else if entry.contains_key(key) {
        doc::set_string(entry, key, value);
    } else {
        doc::insert_sorted(entry, key, doc::scalar(value));
    }
}

fn insert_new(doc: &Doc, image: &ImageArg) -> Result<()> {
    let names: Vec<String> = match doc.field("images")? {
        Some(Value::Array(entries)) => entries
            .iter()
            .map(|e| {
                e.get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            })
            .collect(),
        _ => Vec::new(),
    };
    let entry = Mapping::new();
    // Keys sorted, as kustomize writes them.
    let pairs = [
        ("digest", &image.digest),
        ("name", &image.name),
        ("newName", &image.new_name),
        ("newTag", &image.new_tag),
    ];
    for (key, value) in pairs {
        if !value.is_empty() || key == "name" {
            entry.set(key, doc::scalar(value));
        }
    }
    doc.insert_item("images", doc::sorted_position(&names, &image.name), entry);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arg(name: &str, new_name: &str, tag: &str, digest: &str) -> ImageArg {
        ImageArg {
            name: name.into(),
            new_name: new_name.into(),
            new_tag: tag.into(),
            digest: digest.into(),
        }
    }

    #[test]
    fn argument_forms() {
        let d = "sha256:24a0c4b4a4c0eb97a1aabb8e29f18e917d05abfe1b7a7c07857230879ce7d3d3";
        let cases = [
            (
                "image1=my-image1:my-tag",
                arg("image1", "my-image1", "my-tag", ""),
            ),
            (
                "image1=my-image1:3.2e2",
                arg("image1", "my-image1", "3.2e2", ""),
            ),
            (
                &format!("image1=my-image1@{d}"),
                arg("image1", "my-image1", "", d),
            ),
            ("image1:my-tag", arg("image1", "", "my-tag", "")),
            (&format!("image1@{d}"), arg("image1", "", "", d)),
            (
                &format!("my-image1:my-tag@{d}"),
                arg("my-image1", "", "my-tag", d),
            ),
            (
                &format!("image1=my-image1:my-tag@{d}"),
                arg("image1", "my-image1", "my-tag", d),
            ),
            (
                "ngnix=localhost:5000/my-project/ngnix",
                arg("ngnix", "localhost:5000/my-project/ngnix", "", ""),
            ),
            (
                "ngnix=localhost:5000/my-project/ngnix:dev-01",
                arg("ngnix", "localhost:5000/my-project/ngnix", "dev-01", ""),
            ),
            ("image1=*:v1", arg("image1", "*", "v1", "")),
            ("image1=my-image1:*", arg("image1", "my-image1", "*", "")),
            ("image2=my-image2@*", arg("image2", "my-image2", "", "*")),
            ("image1=my-image1", arg("image1", "my-image1", "", "")),
            ("*=nginx:1.27", arg("*", "nginx", "1.27", "")),
        ];
        for (input, expected) in cases {
            assert_eq!(parse(input).unwrap(), expected, "{input}");
        }
    }

    #[test]
    fn bad_forms_are_kustomize_errors() {
        for input in ["bad", "localhost:5000/no-tag-here/x", "a/b"] {
            let err = parse(input).map(|_| ()).unwrap_err().to_string();
            assert!(err.starts_with("invalid format of image"), "{input}: {err}");
        }
        assert_eq!(
            parse_args(&[]).unwrap_err().to_string(),
            "no image specified"
        );
    }

    #[test]
    fn later_argument_wins() {
        let args = ["a:1".to_string(), "b:2".to_string(), "a:3".to_string()];
        let images = parse_args(&args).unwrap();
        assert_eq!(images, vec![arg("a", "", "3", ""), arg("b", "", "2", "")]);
    }
}
