#[runtime::main]
async fn main(workers: usize) {}
