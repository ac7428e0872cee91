//! Micro-benchmarks of the text merge (`graft::merge::text::merge`): one
//! ~2 KB source file, and one ~200 KB file, merged three ways as `graft
//! update` does for every file both the template and the project changed.
//!
//! `cargo bench --bench merge`. No assertions on time: see bench/README.md.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use graft::merge::text::merge;

/// `lines` lines of source-like text; `edit` appends a marker to line `at`.
fn source(lines: usize, edits: &[(usize, &str)]) -> Vec<u8> {
    let mut out = String::new();
    for i in 0..lines {
        out.push_str(&format!(
            "def handler_{i}(order, limit={}):\n    return sum(x.price for x in order if x.qty < limit)\n",
            i % 97
        ));
        for (at, tag) in edits {
            if *at == i {
                out.push_str(&format!("# {tag}\n"));
            }
        }
    }
    out.into_bytes()
}

fn bench_merge(c: &mut Criterion) {
    let mut group = c.benchmark_group("text_merge");
    for lines in [20usize, 2_000] {
        let base = source(lines, &[]);
        // The template edits the top, the project the bottom: a clean merge.
        let theirs = source(lines, &[(2, "changed by the template")]);
        let ours = source(lines, &[(lines - 2, "changed by the project")]);
        // Both edit the same line: one conflict.
        let ours_conflict = source(lines, &[(2, "changed by the project")]);
        group.throughput(Throughput::Bytes(base.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("clean", base.len()),
            &(&base, &ours, &theirs),
            |b, (base, ours, theirs)| b.iter(|| merge(base, ours, theirs)),
        );
        group.bench_with_input(
            BenchmarkId::new("conflict", base.len()),
            &(&base, &ours_conflict, &theirs),
            |b, (base, ours, theirs)| b.iter(|| merge(base, ours, theirs)),
        );
    }
    group.finish();
}

criterion_group!(benches, bench_merge);
criterion_main!(benches);
