//! A small line diff for `--check`: enough to show what is stale, with context.

/// The differences between `old` and `new` as unified-diff hunks with two lines of context,
/// at most 200 lines of it.
pub(crate) fn unified(old: &str, new: &str, name: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // Longest common subsequence table, from the end.
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    // Walk it into (tag, line) operations.
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', a[i]));
            i += 1;
        } else {
            ops.push(('+', b[j]));
            j += 1;
        }
    }
    let mut out = format!("--- {name} (committed)\n+++ {name} (generated)\n");
    let mut shown = 0;
    let mut last_printed: Option<usize> = None;
    for (index, (tag, line)) in ops.iter().enumerate() {
        let near_change = ops[index.saturating_sub(2)..(index + 3).min(ops.len())]
            .iter()
            .any(|(t, _)| *t != ' ');
        if !near_change {
            continue;
        }
        if last_printed.is_some_and(|p| p + 1 != index) {
            out.push_str("@@\n");
        }
        out.push_str(&format!("{tag}{line}\n"));
        last_printed = Some(index);
        shown += 1;
        if shown == 200 {
            out.push_str("… (diff cut at 200 lines)\n");
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_changed_lines_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\n";
        let new = "a\nb\nc\nD\ne\nf\ng\n";
        let diff = unified(old, new, "x.rs");
        assert!(diff.contains("-d\n+D\n"), "{diff}");
        assert!(diff.contains(" c\n") && diff.contains(" e\n"), "{diff}");
        assert!(!diff.contains(" a\n"), "{diff}");
    }
}
