"""Turns the option catalogue into CloudFormation resources, wherever they are placed."""
