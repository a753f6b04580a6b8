//! The informational `HY1xx` codes: why a candidate for HY001 was left
//! eager. Each is a finding with `function` set and no fix; none of them
//! makes `check` fail. Their documentation is one section each of
//! `refusals.md`, printed by `hybridize explain HY1xx`.

/// One precondition of HY001, by its stable code.
pub use crate::codemod::InformationalCode as Refusal;

const DOCS: &str = include_str!("refusals.md");

pub const PYTHON_SIDE_EFFECT: Refusal = Refusal {
    code: "HY101",
    name: "python-side-effect",
    docs: DOCS,
};
pub const EAGER_ONLY_CALL: Refusal = Refusal {
    code: "HY102",
    name: "eager-only-call",
    docs: DOCS,
};
pub const RECURSIVE: Refusal = Refusal {
    code: "HY103",
    name: "recursive-function",
    docs: DOCS,
};
pub const GENERATOR: Refusal = Refusal {
    code: "HY104",
    name: "generator-function",
    docs: DOCS,
};
pub const NO_TENSOR_COMPUTATION: Refusal = Refusal {
    code: "HY105",
    name: "no-tensor-computation",
    docs: DOCS,
};
pub const PYTHON_SCALAR_PARAMETER: Refusal = Refusal {
    code: "HY106",
    name: "python-scalar-parameter",
    docs: DOCS,
};
pub const ITERATES_TENSOR_PARAMETER: Refusal = Refusal {
    code: "HY107",
    name: "iterates-tensor-parameter",
    docs: DOCS,
};
pub const VARIABLE_CREATED_PER_CALL: Refusal = Refusal {
    code: "HY108",
    name: "variable-created-per-call",
    docs: DOCS,
};
pub const CALLERS_ALREADY_GRAPH: Refusal = Refusal {
    code: "HY109",
    name: "callers-already-graph",
    docs: DOCS,
};
pub const UNKNOWN_CALLEE: Refusal = Refusal {
    code: "HY110",
    name: "unknown-callee",
    docs: DOCS,
};

pub const RETURNS_PYTHON_VALUE: Refusal = Refusal {
    code: "HY111",
    name: "returns-python-value",
    docs: DOCS,
};

pub const CALLED_ONCE: Refusal = Refusal {
    code: "HY112",
    name: "called-once",
    docs: DOCS,
};

pub const LITTLE_TENSOR_WORK: Refusal = Refusal {
    code: "HY113",
    name: "little-tensor-work",
    docs: DOCS,
};

pub const NESTED_FUNCTION: Refusal = Refusal {
    code: "HY114",
    name: "nested-function",
    docs: DOCS,
};

pub const KERAS_FORWARD_PASS: Refusal = Refusal {
    code: "HY115",
    name: "keras-forward-pass",
    docs: DOCS,
};

pub const KERAS_SYMBOLIC_ARGUMENT: Refusal = Refusal {
    code: "HY116",
    name: "keras-symbolic-argument",
    docs: DOCS,
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
    &LITTLE_TENSOR_WORK,
    &NESTED_FUNCTION,
    &KERAS_FORWARD_PASS,
    &KERAS_SYMBOLIC_ARGUMENT,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_has_a_doc_section() {
        for refusal in ALL {
            let doc = refusal
                .doc()
                .unwrap_or_else(|| panic!("{} has no docs", refusal.code));
            assert!(
                doc.starts_with(&format!("# {} {}\n", refusal.code, refusal.name)),
                "{doc}"
            );
            assert!(!doc[1..].contains("\n# HY"), "{} doc runs on", refusal.code);
        }
    }
}
