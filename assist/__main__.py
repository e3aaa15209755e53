from assist.cli import run

run()
