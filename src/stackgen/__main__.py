from stackgen.cli import app

app(prog_name="stackgen")
