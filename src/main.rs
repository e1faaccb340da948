use clap::Parser;

use docscrape::config::{Cli, Command};
use docscrape::startup::Application;

fn main() -> std::process::ExitCode {
    docscrape::allocator::return_large_buffers_to_the_system();
    // A PDF / DOCX converter child of the server (see `uploads::sandbox`).
    if let Some(code) = docscrape::uploads::sandbox::child_main() {
        return code;
    }
    let settings = match Cli::parse().into_command() {
        Command::Serve(settings) => settings,
        Command::Scrape(args) => return docscrape::cli::run(args),
    };
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    if let Err(err) = docscrape::faults::init_from_env() {
        eprintln!("docscrape: {err}");
        return std::process::ExitCode::FAILURE;
    }
    // Crawl I/O (every job's fetches, the engine, the writer's callers) runs on a
    // multi-threaded runtime with one worker per core; the HTTP workers keep their own
    // threads. Parsing and chunking go to the parsing threads (one a core, `cpu_pool`),
    // admitted by the parse budget; other blocking work goes to tokio's blocking pool.
    let system = actix_web::rt::System::with_tokio_rt(|| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("docscrape-crawl")
            .build()
            .unwrap_or_else(|err| {
                eprintln!("docscrape: cannot start the async runtime: {err}");
                std::process::exit(1)
            })
    });
    let outcome = system.block_on(async move {
        let loopback_only = settings
            .bind
            .parse::<std::net::SocketAddr>()
            .map(|addr| addr.ip().is_loopback())
            .unwrap_or_else(|_| settings.bind.starts_with("localhost:"));
        if !loopback_only && settings.api_token.is_none() {
            log::warn!(
                "listening on {} without --api-token: anyone who can reach this address can start crawls and read documentation",
                settings.bind
            );
        }
        if !settings.crawl.allow_private_networks {
            log::info!("the crawler refuses private and loopback addresses (--allow-private-networks lifts this)");
        }
        let app = Application::build(settings).await?;
        // Printed on stdout so that scripts and tests binding port 0 learn the port.
        println!("docscrape listening on http://{}", app.local_addr());
        app.run_until_stopped().await.map_err(|err| err.to_string())?;
        Ok::<(), Box<dyn std::error::Error>>(())
    });
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("docscrape: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
