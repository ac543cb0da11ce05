#[runtime::test(simulation, flavor = "multi_thread", seeds = 0)]
async fn conflicting() {}

fn main() {}
