//! Strongly connected components of a call graph (Tarjan's algorithm),
//! iterative so that deep call chains cannot overflow the stack.

/// The strongly connected components of the graph with `edges[v]` the
/// successors of `v`, callees before callers (reverse topological order).
pub fn strongly_connected_components(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    const UNSEEN: usize = usize::MAX;
    let n = edges.len();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut components = Vec::new();
    let mut next = 0;
    // (node, index of the next successor to look at)
    let mut work: Vec<(usize, usize)> = Vec::new();
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        work.push((root, 0));
        while let Some(&(v, successor)) = work.last() {
            if successor == 0 && index[v] == UNSEEN {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = edges[v].get(successor) {
                if let Some(top) = work.last_mut() {
                    top.1 += 1;
                }
                if index[w] == UNSEEN {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                // The stack from `v` up, popped: top first.
                let start = stack.iter().rposition(|&w| w == v).unwrap_or(0);
                let component: Vec<usize> = stack[start..].iter().rev().copied().collect();
                stack.truncate(start);
                for &w in &component {
                    on_stack[w] = false;
                }
                components.push(component);
            }
        }
    }
    components
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(mut components: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
        for c in &mut components {
            c.sort_unstable();
        }
        components
    }

    #[test]
    fn cycles_are_components_and_callees_come_first() {
        // 0 → 1 → 2 → 1, 2 → 3
        let edges = vec![vec![1], vec![2], vec![1, 3], vec![]];
        assert_eq!(
            sorted(strongly_connected_components(&edges)),
            vec![vec![3], vec![1, 2], vec![0]]
        );
    }

    #[test]
    fn a_long_chain_does_not_overflow_the_stack() {
        let n = 200_000;
        let edges: Vec<Vec<usize>> = (0..n)
            .map(|i| if i + 1 < n { vec![i + 1] } else { vec![0] })
            .collect();
        let components = strongly_connected_components(&edges);
        assert_eq!(components.len(), 1);
        assert_eq!(components[0].len(), n);
    }
}
