async fn missing_comma() -> u8 {
    runtime::select! {
        v = async { 1 } => v
        w = async { 2 } => w,
    }
}

async fn no_branch() -> u8 {
    runtime::select! {
        biased;
    }
}

fn main() {}
