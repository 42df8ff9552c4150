//! The path language of Manifests: dot segments, numeric array indexes (`urls.0`), `*` over
//! array items / object values, and `a|b` alternatives tried in order.
use serde_json::Value;

/// Whether a value counts as present (not null, not `""`, not an empty array).
pub fn is_present(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => true,
    }
}

fn step<'a>(v: &'a Value, seg: &str) -> Option<&'a Value> {
    match v {
        Value::Object(m) => m.get(seg),
        Value::Array(a) => a.get(seg.parse::<usize>().ok()?),
        _ => None,
    }
}

fn collect<'a>(v: &'a Value, segs: &[&str], out: &mut Vec<&'a Value>) {
    let Some((first, rest)) = segs.split_first() else {
        out.push(v);
        return;
    };
    if *first == "*" {
        let children: Box<dyn Iterator<Item = &Value>> = match v {
            Value::Array(a) => Box::new(a.iter()),
            Value::Object(m) => Box::new(m.values()),
            _ => return,
        };
        for child in children {
            collect(child, rest, out);
        }
    } else if let Some(child) = step(v, first) {
        collect(child, rest, out);
    }
}

fn segments(path: &str) -> Vec<&str> {
    path.split('.').map(str::trim).filter(|s| !s.is_empty()).collect()
}

/// The first present value at `path` (alternatives in order; `*` yields the first present match).
pub fn get<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('|').find_map(|alt| {
        let mut found = Vec::new();
        collect(root, &segments(alt), &mut found);
        found.into_iter().find(|v| is_present(v))
    })
}

/// Every present value at `path`: all `*` matches of the first alternative that has any.
pub fn all<'a>(root: &'a Value, path: &str) -> Vec<&'a Value> {
    for alt in path.split('|') {
        let mut found = Vec::new();
        collect(root, &segments(alt), &mut found);
        found.retain(|v| is_present(v));
        if !found.is_empty() {
            return found;
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn nested_indexes_wildcards_and_alternatives() {
        let v = json!({"data": {"items": [{"url": ""}, {"url": "b"}, {"url": "c"}], "id": 7}, "list": [[1, 2], [3]]});
        assert_eq!(get(&v, "data.items.1.url"), Some(&json!("b")));
        assert_eq!(get(&v, "data.items.*.url"), Some(&json!("b")), "first non-empty match");
        assert_eq!(all(&v, "data.items.*.url"), vec![&json!("b"), &json!("c")]);
        assert_eq!(get(&v, "data.task_id|data.id"), Some(&json!(7)));
        assert_eq!(get(&v, "missing|also.missing"), None);
        assert_eq!(all(&v, "list.*.*"), vec![&json!(1), &json!(2), &json!(3)]);
        assert_eq!(all(&v, "nothing|data.items.*.url").len(), 2);
        assert_eq!(get(&v, "data.items.9.url"), None);
        assert_eq!(get(&json!({"m": {"a": {"x": 1}, "b": {"x": 2}}}), "m.*.x"), Some(&json!(1)));
    }
}
