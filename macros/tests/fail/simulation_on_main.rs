#[runtime::main(simulation)]
async fn main() {}
