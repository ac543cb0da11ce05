#[runtime::test(seeds = 100)]
async fn needs_the_flag() {}

fn main() {}
