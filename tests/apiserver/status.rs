//! Answers, and the `Status` bodies of failures worded as the API server
//! words them.

use hyper::StatusCode;
use serde_json::{json, Value};

use super::catalog::Resource;

/// A response: status and JSON body.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

impl Answer {
    pub fn ok(body: Value) -> Answer {
        Answer {
            status: StatusCode::OK,
            body,
        }
    }

    pub fn created(body: Value) -> Answer {
        Answer {
            status: StatusCode::CREATED,
            body,
        }
    }

    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    /// A `Status` failure.
    pub fn failure(
        status: StatusCode,
        reason: &str,
        message: &str,
        details: Option<Value>,
    ) -> Answer {
        let mut body = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": message,
            "reason": reason,
        });
        if let Some(details) = details {
            body["details"] = details;
        }
        body["code"] = json!(status.as_u16());
        Answer { status, body }
    }

    /// A `Status` success (deletes).
    pub fn success(details: Value) -> Answer {
        Answer::ok(json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Success",
            "details": details,
        }))
    }

    pub fn not_found_path() -> Answer {
        Answer::failure(
            StatusCode::NOT_FOUND,
            "NotFound",
            "the server could not find the requested resource",
            Some(json!({})),
        )
    }

    pub fn not_found(resource: &Resource, name: &str) -> Answer {
        Answer::failure(
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("{} \"{name}\" not found", resource.qualified()),
            Some(details(resource, name)),
        )
    }

    pub fn namespace_not_found(namespace: &str) -> Answer {
        Answer::failure(
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("namespaces \"{namespace}\" not found"),
            Some(json!({"name": namespace, "kind": "namespaces"})),
        )
    }

    pub fn already_exists(resource: &Resource, name: &str) -> Answer {
        Answer::failure(
            StatusCode::CONFLICT,
            "AlreadyExists",
            &format!("{} \"{name}\" already exists", resource.qualified()),
            Some(details(resource, name)),
        )
    }

    /// 409 Conflict: `Operation cannot be fulfilled on ...: <why>`.
    pub fn conflict(resource: &Resource, name: &str, why: &str) -> Answer {
        Answer::failure(
            StatusCode::CONFLICT,
            "Conflict",
            &format!(
                "Operation cannot be fulfilled on {} \"{name}\": {why}",
                resource.qualified()
            ),
            Some(details(resource, name)),
        )
    }

    /// The optimistic-concurrency conflict of a stale resourceVersion.
    pub fn stale(resource: &Resource, name: &str) -> Answer {
        Answer::conflict(
            resource,
            name,
            "the object has been modified; please apply your changes to the latest version and try again",
        )
    }

    /// 422 Invalid with one cause per field error.
    pub fn invalid(resource: &Resource, name: &str, errors: &[FieldError]) -> Answer {
        let listed: Vec<String> = errors.iter().map(FieldError::to_string).collect();
        let summary = if listed.len() == 1 {
            listed[0].clone()
        } else {
            format!("[{}]", listed.join(", "))
        };
        let causes: Vec<Value> = errors
            .iter()
            .map(|error| json!({"reason": error.reason, "message": error.body(), "field": error.field}))
            .collect();
        let mut details =
            json!({"name": name, "group": resource.group, "kind": resource.kind, "causes": causes});
        if resource.group.is_empty() {
            details.as_object_mut().expect("details").remove("group");
        }
        Answer::failure(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid",
            &format!("{} \"{name}\" is invalid: {summary}", resource.group_kind()),
            Some(details),
        )
    }

    pub fn bad_request(message: &str) -> Answer {
        Answer::failure(StatusCode::BAD_REQUEST, "BadRequest", message, None)
    }

    pub fn method_not_allowed() -> Answer {
        Answer::failure(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
            None,
        )
    }

    pub fn unauthorized() -> Answer {
        Answer::failure(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "Unauthorized",
            None,
        )
    }
}

fn details(resource: &Resource, name: &str) -> Value {
    json!({"name": name, "group": resource.group, "kind": resource.plural})
}

/// One field error of an Invalid answer.
#[derive(Clone, Debug)]
pub struct FieldError {
    /// `FieldValueInvalid`, `FieldValueRequired`, `FieldValueForbidden`, ...
    pub reason: &'static str,
    pub field: String,
    /// The bad value as the server prints it (`"x"`, `[]string{"a"}`), if shown.
    pub value: Option<String>,
    pub detail: String,
}

impl FieldError {
    pub fn invalid(field: &str, value: String, detail: &str) -> FieldError {
        FieldError {
            reason: "FieldValueInvalid",
            field: field.into(),
            value: Some(value),
            detail: detail.into(),
        }
    }

    pub fn forbidden(field: &str, detail: &str) -> FieldError {
        FieldError {
            reason: "FieldValueForbidden",
            field: field.into(),
            value: None,
            detail: detail.into(),
        }
    }

    pub fn required(field: &str, detail: &str) -> FieldError {
        FieldError {
            reason: "FieldValueRequired",
            field: field.into(),
            value: None,
            detail: detail.into(),
        }
    }

    fn kind(&self) -> &'static str {
        match self.reason {
            "FieldValueInvalid" => "Invalid value",
            "FieldValueForbidden" => "Forbidden",
            "FieldValueRequired" => "Required value",
            "FieldValueNotSupported" => "Unsupported value",
            "FieldValueDuplicate" => "Duplicate value",
            _ => "Invalid value",
        }
    }

    /// The cause message (`Invalid value: "x": field is immutable`).
    pub fn body(&self) -> String {
        let mut text = self.kind().to_string();
        if let Some(value) = &self.value {
            text.push_str(&format!(": {value}"));
        }
        if !self.detail.is_empty() {
            text.push_str(&format!(": {}", self.detail));
        }
        text
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.body())
    }
}
