fn main() {
    std::process::exit(graft::run(std::env::args_os()));
}
