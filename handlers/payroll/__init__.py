"""The payroll month: pay sheet, 公示, bank 代发 file, 发放 按工资表, bank results, exports."""
