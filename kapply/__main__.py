from kapply.cli.app import main

main()
