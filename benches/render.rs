//! Micro-benchmarks of the renderer (`graft::render::render`) on a generated
//! template tree like the one of bench/run.py: N files of ~2 KB in nested
//! folders, 10% with templated contents, 5% under a templated folder name.
//!
//! `cargo bench --bench render`. No assertions on time: see bench/README.md.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use graft::render::Context;
use graft::render::{engine_for, render, render_root};
use graft::tree::{FileTree, Node};
use serde_json::json;

const CONFIG: &str = "project_name: demo\nauthor: Ada\nuse_docker: false\n";

/// ~2 KB of source-like text; templated files mention `{{project_name}}`.
fn source(i: usize, templated: bool) -> String {
    let mut out = String::new();
    let mut n = 0;
    while out.len() < 2048 {
        n += 1;
        out.push_str(&format!(
            "\ndef order_{i}_{n}(items, limit={}):\n    \"\"\"Sum the prices.\"\"\"\n    return {{'total': sum(x.price for x in items if x.qty < limit)}}\n",
            (i * 7 + n) % 997
        ));
        if templated && n % 6 == 0 {
            out.push_str("# part of {{project_name}}\n");
        }
    }
    out
}

fn template(n: usize) -> FileTree {
    let mut tree = FileTree::new();
    tree.insert("graft.yml", Node::file(CONFIG));
    tree.insert("README.md.hbs", Node::file("# {{project_name}}\n"));
    for i in 0..n {
        let templated = i % 10 == 3;
        let top = if i % 20 == 7 {
            "{{project_name}}".to_string()
        } else {
            format!("pkg{}", i % 8)
        };
        let suffix = if templated { ".hbs" } else { "" };
        let path = format!(
            "src/{top}/mod{}/sub{}/file{i}.py{suffix}",
            (i / 8) % 12,
            (i / 96) % 10
        );
        tree.insert(&path, Node::file(source(i, templated)));
    }
    tree
}

fn bench_render(c: &mut Criterion) {
    let mut group = c.benchmark_group("render");
    group.sample_size(20);
    let context = json!({"project_name": "demo", "author": "Ada", "use_docker": false});
    let ctx = Context::of(&context).expect("a JSON object is a context");
    for n in [100usize, 1_000] {
        let tree = template(n);
        let config = graft::config::load(&tree, "bench").expect("the generated graft.yml loads");
        let engine = engine_for(&tree, &config).expect("no partials to fail");
        let root = render_root(&tree, &config, &engine, &ctx).expect("no _subdirectory");
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("files", n), &tree, |b, tree| {
            b.iter(|| {
                render(
                    tree,
                    &config,
                    &engine,
                    &context,
                    &root,
                    &[],
                    &graft::progress::NoProgress,
                )
                .expect("renders")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_render);
criterion_main!(benches);
