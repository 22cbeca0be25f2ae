"""pure"""
