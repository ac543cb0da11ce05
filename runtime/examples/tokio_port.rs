//! A Tokio program ported to `runtime` by changing only its `use` lines and its `main`
//! attribute. This file exists twice: `benches/examples/tokio_port.rs` uses Tokio,
//! `runtime/examples/tokio_port.rs` uses `runtime`; `benches/tests/tokio_port_diff.rs`
//! checks that nothing else differs, and `docs/from-tokio.md` shows the diff.
//!
//! A TCP chat server: connections are grouped in rooms, each room runs on a thread of its
//! own with a `LocalSet` (the room's state is an `Rc<RefCell<..>>`, shared by the room's
//! connection tasks without locks), `/run <program> <args>` runs a child process and tells
//! the room its output, and every connection task uses `select!` with `biased;` so messages
//! to the client go out before its next line is read. `main` plays three clients against it
//! and checks what each one hears.
//!
//! `cargo run -p benches --example tokio_port_on_tokio` (Tokio) or
//! `cargo run -p runtime --example tokio_port` (`runtime`).

use std::cell::RefCell;
use std::io;
use std::rc::Rc;
use std::time::Duration;

use runtime::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use runtime::net::{TcpListener, TcpStream};
use runtime::process::Command;
use runtime::runtime::Builder;
use runtime::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use runtime::task::{LocalSet, spawn_local};
use runtime::time::timeout;
use runtime::{select, spawn};

/// Rooms, each on a thread of its own; connection `i` joins room `i % ROOMS`.
const ROOMS: usize = 2;

/// The members of one room: a sender to each member's connection task.
type Room = Rc<RefCell<Vec<UnboundedSender<String>>>>;

/// Runs one room: a current-thread runtime and a `LocalSet` on this thread, one local task
/// per connection handed over on `arrivals`, until the server closes `arrivals`.
fn run_room(mut arrivals: UnboundedReceiver<(String, TcpStream)>) -> io::Result<()> {
    let rt = Builder::new_current_thread().enable_all().build()?;
    let local = LocalSet::new();
    local.block_on(&rt, async move {
        let room: Room = Rc::default();
        while let Some((name, stream)) = arrivals.recv().await {
            spawn_local(serve(name, stream, room.clone()));
        }
    });
    Ok(())
}

/// Tells every member of `room` (the sender included) `line`.
fn tell(room: &Room, line: String) {
    room.borrow_mut()
        .retain(|member| member.send(line.clone()).is_ok());
}

/// One member: reads its lines (in a local task of their own, so that no partial line is
/// lost when `select!` picks the other branch), sends it what the room says.
async fn serve(name: String, stream: TcpStream, room: Room) {
    let (reader, mut writer) = stream.into_split();
    let (to_member, mut inbox) = unbounded_channel();
    room.borrow_mut().push(to_member);
    tell(&room, format!("{name} joined"));
    let (line_tx, mut lines) = unbounded_channel();
    spawn_local(async move {
        let mut reader = BufReader::new(reader);
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if line_tx.send(line.trim_end().to_string()).is_err() {
                        break;
                    }
                }
            }
        }
    });
    loop {
        select! {
            biased;
            Some(message) = inbox.recv() => {
                let message = format!("{message}\n");
                if writer.write_all(message.as_bytes()).await.is_err() {
                    break;
                }
            }
            line = lines.recv() => match line {
                None => break,
                Some(line) => match line.strip_prefix("/run ") {
                    Some(command) => {
                        let mut words = command.split_whitespace();
                        let program = words.next().unwrap_or_default();
                        let said = match Command::new(program).args(words).output().await {
                            Ok(output) => String::from_utf8_lossy(&output.stdout).trim_end().to_string(),
                            Err(err) => format!("error: {err}"),
                        };
                        tell(&room, format!("{name} ran {program}: {said}"));
                    }
                    None => tell(&room, format!("{name}: {line}")),
                },
            },
        }
    }
}

/// A client: connects, says each of `lines` after hearing `wait_for` lines, then keeps
/// listening until it has heard `hear` lines in all, which it returns.
async fn client(
    addr: std::net::SocketAddr,
    say: Vec<(usize, &'static str)>,
    hear: usize,
) -> io::Result<Vec<String>> {
    let stream = TcpStream::connect(addr).await?;
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let mut heard = Vec::new();
    let mut say = say.into_iter().peekable();
    while heard.len() < hear || say.peek().is_some() {
        while let Some((_, line)) = say.next_if(|(after, _)| *after <= heard.len()) {
            writer.write_all(format!("{line}\n").as_bytes()).await?;
        }
        if heard.len() == hear {
            continue;
        }
        let mut line = String::new();
        match timeout(Duration::from_secs(10), reader.read_line(&mut line)).await {
            Ok(Ok(n)) if n > 0 => heard.push(line.trim_end().to_string()),
            _ => return Err(io::Error::other(format!("heard only {heard:?}"))),
        }
    }
    Ok(heard)
}

#[runtime::main]
async fn main() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let mut rooms = Vec::new();
    let mut threads = Vec::new();
    for _ in 0..ROOMS {
        let (arrivals, arrived) = unbounded_channel();
        rooms.push(arrivals);
        threads.push(std::thread::spawn(move || run_room(arrived)));
    }
    // The three clients connect in order, so alice and carol share room 0, bob is in room 1.
    // Each speaks once it has heard enough to know the others are there.
    let names = ["alice", "bob", "carol"];
    let mut heard = Vec::new();
    for (i, name) in names.into_iter().enumerate() {
        let said: Vec<(usize, &'static str)> = match name {
            "alice" => vec![(2, "hello"), (4, "/run echo from a child")],
            "bob" => vec![(1, "anyone?")],
            _ => vec![(2, "hi alice")],
        };
        let hear = match name {
            "alice" => 5,
            "bob" => 2,
            _ => 4,
        };
        heard.push(spawn(client(addr, said, hear)));
        let (stream, _) = listener.accept().await?;
        rooms[i % ROOMS]
            .send((name.to_string(), stream))
            .map_err(|_| io::Error::other("a room thread stopped"))?;
    }
    let mut transcripts = Vec::new();
    for client in heard {
        transcripts.push(client.await.map_err(io::Error::other)??);
    }
    drop(rooms);
    for thread in threads {
        thread.join().expect("a room thread panicked")?;
    }
    for (name, heard) in names.iter().zip(&transcripts) {
        println!("{name} heard: {heard:?}");
    }
    let room0 = [
        "alice: hello",
        "carol: hi alice",
        "alice ran echo: from a child",
    ];
    assert_eq!(transcripts[0][..2], ["alice joined", "carol joined"]);
    assert_eq!(transcripts[0][2..], room0);
    assert_eq!(transcripts[1], ["bob joined", "bob: anyone?"]);
    assert_eq!(transcripts[2][0], "carol joined");
    assert_eq!(transcripts[2][1..], room0);
    Ok(())
}
