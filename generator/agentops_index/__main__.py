from agentops_index.cli import main

main()
