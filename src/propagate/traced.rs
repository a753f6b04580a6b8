//! Functions that run only where objects are set up or code is traced: every
//! call of them comes from a function that builds an object (`__init__`, a
//! Keras `build`), that Keras or `tf.function` traces (a layer's methods, a
//! graph function), or from another function of this kind. Their loops run
//! once per construction or per trace — over a layer's inputs, a decoder's
//! states, a list of transforms — not once per training step: a function
//! called in such a loop is not hot for it.

/// Per function (by node): whether every call of it comes, directly or
/// through other such functions, from a function that `quiet` marks.
/// `counts[v]..counts[v + 1]` are the call sites of `v` in `callers` (the
/// calling node of each site, `module_level` for module-level code). A
/// function nobody calls, or called from module level, or on a cycle of
/// unmarked functions, is not one.
pub(super) fn reached_only_from(
    quiet: &[bool],
    counts: &[usize],
    callers: &[u32],
    module_level: u32,
) -> Vec<bool> {
    let n = quiet.len();
    // Per function: its sites in unmarked callers, still undecided; and
    // whether module-level code calls it.
    let mut undecided = vec![0u32; n];
    let mut from_module = vec![false; n];
    // The same sites by caller, to count down when a caller is decided.
    let mut by_caller = vec![0usize; n + 1];
    for v in 0..n {
        for &caller in &callers[counts[v]..counts[v + 1]] {
            if caller == module_level {
                from_module[v] = true;
            } else if !quiet[caller as usize] {
                undecided[v] += 1;
                by_caller[caller as usize + 1] += 1;
            }
        }
    }
    for c in 0..n {
        by_caller[c + 1] += by_caller[c];
    }
    let mut next = by_caller.clone();
    let mut callees = vec![0u32; by_caller[n]];
    for v in 0..n {
        for &caller in &callers[counts[v]..counts[v + 1]] {
            if caller != module_level && !quiet[caller as usize] {
                let slot = &mut next[caller as usize];
                callees[*slot] = v as u32;
                *slot += 1;
            }
        }
    }
    drop(next);
    let mut marked = vec![false; n];
    let mut ready: Vec<usize> = (0..n)
        .filter(|&v| counts[v + 1] > counts[v] && !from_module[v] && undecided[v] == 0)
        .collect();
    while let Some(v) = ready.pop() {
        if std::mem::replace(&mut marked[v], true) {
            continue;
        }
        if quiet[v] {
            // Its own calls were never counted as undecided.
            continue;
        }
        for &w in &callees[by_caller[v]..by_caller[v + 1]] {
            let w = w as usize;
            undecided[w] -= 1;
            if undecided[w] == 0 && !from_module[w] {
                ready.push(w);
            }
        }
    }
    marked
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: u32 = u32::MAX;

    /// Sites given per callee as lists of callers.
    fn run(quiet: &[bool], sites: &[&[u32]]) -> Vec<bool> {
        let mut counts = vec![0];
        let mut callers = Vec::new();
        for here in sites {
            callers.extend_from_slice(here);
            counts.push(callers.len());
        }
        reached_only_from(quiet, &counts, &callers, M)
    }

    #[test]
    fn chains_from_quiet_callers_are_marked() {
        // 0 is a layer method; 1 is called by 0; 2 by 1 and 0; 3 by 2 and
        // from module level; 4 by nobody.
        let marked = run(
            &[true, false, false, false, false],
            &[&[], &[0], &[1, 0], &[2, M], &[]],
        );
        assert_eq!(marked, [false, true, true, false, false]);
    }

    #[test]
    fn one_plain_caller_is_enough_to_stay_unmarked() {
        // 1 is called by the quiet 0 and by the plain 3 (called by nobody).
        let marked = run(&[true, false, false, false], &[&[], &[0, 3], &[1], &[]]);
        assert_eq!(marked, [false, false, false, false]);
    }

    #[test]
    fn cycles_of_plain_functions_stay_unmarked() {
        let marked = run(&[true, false, false], &[&[], &[0, 2], &[1]]);
        assert_eq!(marked, [false, false, false]);
    }
}
