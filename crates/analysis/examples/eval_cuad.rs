//! Prints the CUAD figures of the engine on a split, for quick iteration while tuning:
//! `cargo run --release -p lucidity-analysis --example eval_cuad -- ../shared/data/cuad`.
//! `lucidity eval cuad --data DIR` prints the same object.

fn main() -> std::io::Result<()> {
    let dir = std::env::args().nth(1).expect("usage: eval_cuad CUAD_DIR");
    let contracts = lucidity_analysis::eval::cuad::load(dir.as_ref())?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let report = lucidity_analysis::eval::cuad::evaluate(&contracts, threads, |c| {
        lucidity_analysis::eval::cuad::predict(&c.text)
    });
    println!("{}", serde_json::to_string(&report).unwrap_or_default());
    Ok(())
}
