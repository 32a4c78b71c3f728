#include "plugwatch/cli/command.h"

int main(int argc, char** argv) { return plugwatch::cli::Main(argc, argv); }
