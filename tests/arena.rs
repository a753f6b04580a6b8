//! The parse arena (`hybridize::arena`): trees parsed into it are the
//! parser's own trees, a tree stays intact while it is alive however many
//! others come and go, and the check mode catches what outlives its tree.

use std::process::Command;

use hybridize::arena;

#[global_allocator]
static GLOBAL: arena::Allocator = arena::Allocator;

/// The scenario a child process runs (see [`run_child`]).
const CHILD: &str = "HYBRIDIZE_ARENA_TEST_CHILD";

fn sources() -> Vec<String> {
    let mut sources = vec![
        "import tensorflow as tf\n\n@tf.function\ndef step(x):\n    return x * 2\n".to_string(),
        "class Model(tf.keras.Model):\n    def call(self, inputs, a_rather_long_keyword_argument_name=None):\n        return inputs\n".to_string(),
        format!("x = {}1{}\n", "(".repeat(200), ")".repeat(200)),
        "def f(\n".to_string(),
    ];
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/programs"))
        .expect("tests/programs")
    {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "py") {
            sources.push(std::fs::read_to_string(path).expect("program"));
        }
    }
    sources
}

/// What the parser itself makes of `source`: the tree, or the error.
fn plain(source: &str) -> String {
    match ruff_python_parser::parse_module(source) {
        Ok(parsed) => format!("{:?}", parsed.syntax()),
        Err(error) => format!("error: {error:?}"),
    }
}

fn in_arena(source: &str) -> Result<arena::ParsedModule, String> {
    arena::parse_module(source, |error| format!("error: {error:?}"))
}

fn shown(parsed: &Result<arena::ParsedModule, String>) -> String {
    match parsed {
        Ok(parsed) => format!("{:?}", parsed.syntax()),
        Err(error) => error.clone(),
    }
}

#[test]
fn trees_in_the_arena_are_the_parsers_own_while_they_live() {
    assert!(arena::enable(), "the arena's address range can be reserved");
    let sources = sources();
    let expected: Vec<String> = sources.iter().map(|s| plain(s)).collect();
    // One tree kept alive across all the others: the arena must not start
    // over under it.
    let kept = in_arena(&sources[1]);
    for round in 0..3 {
        for (source, want) in sources.iter().zip(&expected) {
            let parsed = in_arena(source);
            assert_eq!(&shown(&parsed), want, "round {round}");
            // Two at once, the first dropped before the second.
            let other = in_arena(&sources[0]);
            drop(parsed);
            assert_eq!(shown(&other), expected[0]);
        }
        assert_eq!(shown(&kept), expected[1], "the kept tree, round {round}");
    }
    drop(kept);
    // After every tree is gone, the arena starts over: still the same trees.
    for (source, expected) in sources.iter().zip(&expected) {
        assert_eq!(&shown(&in_arena(source)), expected);
    }
}

#[test]
fn every_thread_parses_into_its_own_arena() {
    assert!(arena::enable());
    // Trees parsed on other threads: each thread has its own arena.
    let handles: Vec<_> = (0..4)
        .map(|i| {
            std::thread::spawn(move || {
                let source = format!("def f{i}(x):\n    return x + {i}\n");
                let expected = plain(&source);
                for _ in 0..50 {
                    assert_eq!(shown(&in_arena(&source)), expected);
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("thread");
    }
}

/// Runs the test `name` of this binary in a child process with
/// `HYBRIDIZE_ARENA_CHECK=1` and the child scenario on; its exit status.
fn run_child(name: &str, scenario: &str) -> std::process::ExitStatus {
    Command::new(std::env::current_exe().expect("test binary"))
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, scenario)
        .env("HYBRIDIZE_ARENA_CHECK", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("child runs")
}

/// A `Name` is shared with the tree (reference-counted): one kept after its
/// tree is gone is what the arena forbids. `copy` keeps an owned copy.
fn keep_a_name_past_its_tree(copy: bool) {
    assert!(arena::enable());
    let source = "def f(x, a_keyword_name_longer_than_any_inline_name=1):\n    pass\n";
    let tree = in_arena(source).expect("parses");
    let ruff_python_ast::Stmt::FunctionDef(def) = &tree.syntax().body[0] else {
        panic!("a def");
    };
    let mut name = Some(def.parameters.args[1].parameter.name.id.clone());
    let owned = name
        .as_ref()
        .map(|n| n.as_str().to_string())
        .unwrap_or_default();
    if copy {
        name = None;
    }
    drop(tree);
    // The next parse retires the first tree's memory.
    let _next = in_arena("y = 1\n").expect("parses");
    if copy {
        assert_eq!(owned, "a_keyword_name_longer_than_any_inline_name");
    } else {
        // Reads (and then drops) the shared text: faults in check mode.
        assert_eq!(name.as_ref().map(|n| n.as_str()), Some(owned.as_str()));
    }
}

#[test]
fn check_mode_catches_a_name_kept_past_its_tree() {
    match std::env::var(CHILD).as_deref() {
        Ok("shared") => return keep_a_name_past_its_tree(false),
        Ok("owned") => return keep_a_name_past_its_tree(true),
        _ => {}
    }
    let name = "check_mode_catches_a_name_kept_past_its_tree";
    let owned = run_child(name, "owned");
    assert!(owned.success(), "an owned copy is fine: {owned:?}");
    let shared = run_child(name, "shared");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        shared.signal(),
        Some(libc::SIGSEGV),
        "a shared name read after its tree is gone faults: {shared:?}"
    );
}
