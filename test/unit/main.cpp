// The Catch2 test runner's main for dlc's unit tests.
// Each *Test.cpp file tests one component.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
