//! The informational `HY1xx` codes: why a candidate for HY001 was left
//! eager. Each is a finding with `function` set and no fix; none of them
//! makes `check` fail. Their documentation is one section each of
//! `refusals.md`, printed by `hybridize explain HY1xx`.

/// One precondition of HY001, by its stable code.
#[derive(Debug)]
pub struct Refusal {
    pub code: &'static str,
    pub name: &'static str,
}

pub const PYTHON_SIDE_EFFECT: Refusal = Refusal {
    code: "HY101",
    name: "python-side-effect",
};
pub const EAGER_ONLY_CALL: Refusal = Refusal {
    code: "HY102",
    name: "eager-only-call",
};
pub const RECURSIVE: Refusal = Refusal {
    code: "HY103",
    name: "recursive-function",
};
pub const GENERATOR: Refusal = Refusal {
    code: "HY104",
    name: "generator-function",
};
pub const NO_TENSOR_COMPUTATION: Refusal = Refusal {
    code: "HY105",
    name: "no-tensor-computation",
};
pub const PYTHON_SCALAR_PARAMETER: Refusal = Refusal {
    code: "HY106",
    name: "python-scalar-parameter",
};
pub const ITERATES_TENSOR_PARAMETER: Refusal = Refusal {
    code: "HY107",
    name: "iterates-tensor-parameter",
};
pub const VARIABLE_CREATED_PER_CALL: Refusal = Refusal {
    code: "HY108",
    name: "variable-created-per-call",
};
pub const CALLERS_ALREADY_GRAPH: Refusal = Refusal {
    code: "HY109",
    name: "callers-already-graph",
};
pub const UNKNOWN_CALLEE: Refusal = Refusal {
    code: "HY110",
    name: "unknown-callee",
};

pub const RETURNS_PYTHON_VALUE: Refusal = Refusal {
    code: "HY111",
    name: "returns-python-value",
};

pub const CALLED_ONCE: Refusal = Refusal {
    code: "HY112",
    name: "called-once",
};

pub static ALL: &[&Refusal] = &[
    &PYTHON_SIDE_EFFECT,
    &EAGER_ONLY_CALL,
    &RECURSIVE,
    &GENERATOR,
    &NO_TENSOR_COMPUTATION,
    &PYTHON_SCALAR_PARAMETER,
    &ITERATES_TENSOR_PARAMETER,
    &VARIABLE_CREATED_PER_CALL,
    &CALLERS_ALREADY_GRAPH,
    &UNKNOWN_CALLEE,
    &RETURNS_PYTHON_VALUE,
    &CALLED_ONCE,
];

pub const CODES: &[&str] = &[
    "HY101", "HY102", "HY103", "HY104", "HY105", "HY106", "HY107", "HY108", "HY109", "HY110",
    "HY111", "HY112",
];

const DOCS: &str = include_str!("refusals.md");

/// The documentation of one refusal code: its `# HY1xx` section.
pub fn doc(code: &str) -> Option<&'static str> {
    let refusal = ALL
        .iter()
        .find(|r| r.code.eq_ignore_ascii_case(code) || r.name == code)?;
    let start = DOCS.find(&format!("# {} ", refusal.code))?;
    let rest = &DOCS[start..];
    let end = rest[1..].find("\n# HY").map_or(rest.len(), |i| i + 2);
    Some(&rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_has_a_doc_section_and_a_code() {
        for refusal in ALL {
            let doc = doc(refusal.code).unwrap_or_else(|| panic!("{} has no docs", refusal.code));
            assert!(
                doc.starts_with(&format!("# {} {}\n", refusal.code, refusal.name)),
                "{doc}"
            );
            assert!(!doc[1..].contains("\n# HY"), "{} doc runs on", refusal.code);
            assert!(CODES.contains(&refusal.code));
        }
        assert_eq!(CODES.len(), ALL.len());
    }
}
