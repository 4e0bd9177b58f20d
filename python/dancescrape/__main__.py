from dancescrape.cli.main import main

main()
