from shidian.cli.app import main

main()
