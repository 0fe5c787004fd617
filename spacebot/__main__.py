from spacebot.cli import main

main()
